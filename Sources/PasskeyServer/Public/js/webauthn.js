// The browser's side of a ceremony: JSON options in, JSON credential out. Uses the browser's own
// JSON helpers (WebAuthn Level 3 §5.1.8–§5.1.10) where it has them and converts base64url by hand
// where it does not.

const fromBase64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const bytesOf = (data) => (ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
const toBase64url = (data) => btoa(Array.from(bytesOf(data), (byte) => String.fromCharCode(byte)).join(''))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const native = (name) => typeof window.PublicKeyCredential?.[name] === 'function';
const withIds = (list) => (list ?? []).map((descriptor) => ({ ...descriptor, id: fromBase64url(descriptor.id) }));

export const creationOptionsFromJSON = (json) => (native('parseCreationOptionsFromJSON')
  ? PublicKeyCredential.parseCreationOptionsFromJSON(json)
  : { ...json, challenge: fromBase64url(json.challenge), user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials) });

export const requestOptionsFromJSON = (json) => (native('parseRequestOptionsFromJSON')
  ? PublicKeyCredential.parseRequestOptionsFromJSON(json)
  : { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) });

// Buffers become base64url, inside objects and arrays too (extension outputs such as prf hold them).
const jsonValue = (value) => {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return toBase64url(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonValue(inner)]));
};

export function credentialToJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  // A registration's response has the attestation; its getters are optional in older browsers.
  const fields = 'attestationObject' in response
    ? { attestationObject: response.attestationObject, transports: response.getTransports?.() ?? [],
      authenticatorData: response.getAuthenticatorData?.(), publicKey: response.getPublicKey?.(),
      publicKeyAlgorithm: response.getPublicKeyAlgorithm?.() }
    : { authenticatorData: response.authenticatorData, signature: response.signature, userHandle: response.userHandle };
  return jsonValue({
    id: credential.id, rawId: credential.rawId, type: credential.type, authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults(), response: { clientDataJSON: response.clientDataJSON, ...fields },
  });
}
