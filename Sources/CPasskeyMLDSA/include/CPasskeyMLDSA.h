// ML-DSA-44 (FIPS 204) for WebAuthn's COSE algorithm -48, from the BoringSSL that swift-crypto
// bundles. swift-crypto's Swift API has ML-DSA-65 and -87 only; these few functions reach the
// bundled library's ML-DSA-44 through its own header, so the calls are checked by the compiler
// against the declarations the library was built with. Nothing of BoringSSL's types leaves this
// target: keys cross as their FIPS 204 encodings.
#ifndef C_PASSKEY_MLDSA_H
#define C_PASSKEY_MLDSA_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

// FIPS 204 Table 2, ML-DSA-44: encoded public key and signature sizes; the key generation seed ξ.
#define PASSKEYS_MLDSA44_PUBLIC_KEY_BYTES 1312
#define PASSKEYS_MLDSA44_SIGNATURE_BYTES 2420
#define PASSKEYS_MLDSA44_SEED_BYTES 32

// 1 if `public_key` is an encoded ML-DSA-44 public key (pkDecode accepts it, nothing trails).
int passkeys_mldsa44_public_key_is_valid(const uint8_t *public_key, size_t public_key_len);

// ML-DSA.Verify (FIPS 204 Algorithm 3): 1 if `signature` is valid for `message` and `context`
// (at most 255 bytes; empty for COSE) under `public_key`, else 0.
int passkeys_mldsa44_verify(const uint8_t *public_key, size_t public_key_len,
                            const uint8_t *signature, size_t signature_len,
                            const uint8_t *message, size_t message_len,
                            const uint8_t *context, size_t context_len);

// ML-DSA.KeyGen (Algorithm 1): a new key pair as its seed and encoded public key. 1 on success.
int passkeys_mldsa44_generate(uint8_t out_public_key[PASSKEYS_MLDSA44_PUBLIC_KEY_BYTES],
                              uint8_t out_seed[PASSKEYS_MLDSA44_SEED_BYTES]);

// ML-DSA.Sign (Algorithm 2, hedged) with the key pair regenerated from `seed`. 1 on success.
int passkeys_mldsa44_sign(const uint8_t seed[PASSKEYS_MLDSA44_SEED_BYTES],
                          const uint8_t *message, size_t message_len,
                          const uint8_t *context, size_t context_len,
                          uint8_t out_signature[PASSKEYS_MLDSA44_SIGNATURE_BYTES]);

#if defined(__cplusplus)
}
#endif

#endif
