// The browser's side of a ceremony: JSON options in, JSON credential out. Uses the browser's own
// JSON helpers (WebAuthn Level 3) where it has them and converts base64url by hand where it does not.

const fromBase64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)).buffer;
const bytesOf = (buffer) => (ArrayBuffer.isView(buffer) ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength) : new Uint8Array(buffer));
const toBase64url = (buffer) => btoa(Array.from(bytesOf(buffer), (byte) => String.fromCharCode(byte)).join(''))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const has = (name) => typeof window.PublicKeyCredential?.[name] === 'function';
const descriptors = (list) => (list ?? []).map((descriptor) => ({ ...descriptor, id: fromBase64url(descriptor.id) }));

export const creationOptionsFromJSON = (json) => (has('parseCreationOptionsFromJSON')
  ? PublicKeyCredential.parseCreationOptionsFromJSON(json)
  : {
    ...json, challenge: fromBase64url(json.challenge), user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  });

export const requestOptionsFromJSON = (json) => (has('parseRequestOptionsFromJSON')
  ? PublicKeyCredential.parseRequestOptionsFromJSON(json)
  : { ...json, challenge: fromBase64url(json.challenge), allowCredentials: descriptors(json.allowCredentials) });

// Extension outputs may hold buffers (prf, largeBlob); JSON wants base64url.
function jsonValue(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return toBase64url(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonValue(inner)]));
  return value;
}

export function credentialToJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  const json = {
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: jsonValue(credential.getClientExtensionResults()),
    response: { clientDataJSON: toBase64url(response.clientDataJSON) },
  };
  // A registration's response has the attestation; its getters are optional in older browsers.
  const fields = 'attestationObject' in response
    ? {
      attestationObject: response.attestationObject, transports: response.getTransports?.() ?? [],
      authenticatorData: response.getAuthenticatorData?.(), publicKey: response.getPublicKey?.(),
      publicKeyAlgorithm: response.getPublicKeyAlgorithm?.(),
    }
    : { authenticatorData: response.authenticatorData, signature: response.signature, userHandle: response.userHandle };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) json.response[key] = value === null || typeof value !== 'object' || Array.isArray(value) ? value : toBase64url(value);
  }
  return json;
}
