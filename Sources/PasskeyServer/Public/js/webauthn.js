// The browser's side of a ceremony: JSON options in, JSON credential out.
// Uses the browser's own JSON helpers (WebAuthn Level 3) where it has them and
// converts base64url by hand where it does not.

export function base64urlToBuffer(value) {
  const base64 = value.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export function bufferToBase64url(buffer) {
  const bytes = ArrayBuffer.isView(buffer)
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const hasJSONHelpers = (name) =>
  typeof window.PublicKeyCredential === 'function' && typeof PublicKeyCredential[name] === 'function';

function descriptorsFromJSON(list) {
  return (list ?? []).map((descriptor) => ({ ...descriptor, id: base64urlToBuffer(descriptor.id) }));
}

export function creationOptionsFromJSON(json) {
  if (hasJSONHelpers('parseCreationOptionsFromJSON')) {
    return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    user: { ...json.user, id: base64urlToBuffer(json.user.id) },
    excludeCredentials: descriptorsFromJSON(json.excludeCredentials),
  };
}

export function requestOptionsFromJSON(json) {
  if (hasJSONHelpers('parseRequestOptionsFromJSON')) {
    return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  }
  return {
    ...json,
    challenge: base64urlToBuffer(json.challenge),
    allowCredentials: descriptorsFromJSON(json.allowCredentials),
  };
}

// Extension outputs may hold buffers (prf, largeBlob); JSON wants base64url.
function jsonValue(value) {
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return bufferToBase64url(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonValue(inner)]));
  }
  return value;
}

export function credentialToJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  const json = {
    id: credential.id,
    rawId: bufferToBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: jsonValue(credential.getClientExtensionResults()),
    response: { clientDataJSON: bufferToBase64url(response.clientDataJSON) },
  };
  if ('attestationObject' in response) {
    json.response.attestationObject = bufferToBase64url(response.attestationObject);
    json.response.transports = response.getTransports?.() ?? [];
    const authenticatorData = response.getAuthenticatorData?.();
    if (authenticatorData) json.response.authenticatorData = bufferToBase64url(authenticatorData);
    const publicKey = response.getPublicKey?.();
    if (publicKey) json.response.publicKey = bufferToBase64url(publicKey);
    const algorithm = response.getPublicKeyAlgorithm?.();
    if (algorithm !== undefined) json.response.publicKeyAlgorithm = algorithm;
  } else {
    json.response.authenticatorData = bufferToBase64url(response.authenticatorData);
    json.response.signature = bufferToBase64url(response.signature);
    json.response.userHandle = response.userHandle ? bufferToBase64url(response.userHandle) : null;
  }
  return json;
}

export async function createCredential(publicKeyJSON) {
  const credential = await navigator.credentials.create({ publicKey: creationOptionsFromJSON(publicKeyJSON) });
  return credentialToJSON(credential);
}
