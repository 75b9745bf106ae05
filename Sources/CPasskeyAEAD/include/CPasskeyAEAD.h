// ChaCha20-Poly1305 (RFC 8439) from the BoringSSL that swift-crypto bundles, with the key set up
// once. swift-crypto's `ChaChaPoly` sets the key up again and copies through `Data` on every
// call, several times the cipher's own cost for the few hundred bytes of a sealed ceremony;
// these functions reach the bundled library's AEAD interface through its own header, so the
// calls are checked by the compiler against the declarations the library was built with.
// Nothing of BoringSSL's types leaves this target but an opaque pointer.
#ifndef C_PASSKEY_AEAD_H
#define C_PASSKEY_AEAD_H

#include <stddef.h>
#include <stdint.h>

#if defined(__cplusplus)
extern "C" {
#endif

// RFC 8439 §2.8: a 256-bit key, a 96-bit nonce, a 128-bit tag.
#define PASSKEYS_CHACHA20_POLY1305_KEY_BYTES 32
#define PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES 12
#define PASSKEYS_CHACHA20_POLY1305_TAG_BYTES 16

typedef struct passkeys_aead passkeys_aead;

// A ChaCha20-Poly1305 key set up for sealing and opening; NULL if it cannot be made. Free it
// with passkeys_aead_free. Sealing and opening may run on many threads at once with one key.
passkeys_aead *passkeys_chacha20_poly1305_new(const uint8_t key[PASSKEYS_CHACHA20_POLY1305_KEY_BYTES]);

void passkeys_aead_free(passkeys_aead *aead);

// Encrypts `in` and authenticates it with `ad`: writes the ciphertext and then the tag
// (in_len + PASSKEYS_CHACHA20_POLY1305_TAG_BYTES bytes, which `out_capacity` must allow) to `out`.
// 1 on success, 0 otherwise.
int passkeys_aead_seal(const passkeys_aead *aead,
                       const uint8_t nonce[PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES],
                       const uint8_t *in, size_t in_len,
                       const uint8_t *ad, size_t ad_len,
                       uint8_t *out, size_t out_capacity);

// Checks the tag at the end of `in` (ciphertext then tag) against `ad` and decrypts the
// ciphertext into `out` (in_len - PASSKEYS_CHACHA20_POLY1305_TAG_BYTES bytes, which
// `out_capacity` must allow). 1 if the tag is right, 0 otherwise (then `out` holds zeros).
int passkeys_aead_open(const passkeys_aead *aead,
                       const uint8_t nonce[PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES],
                       const uint8_t *in, size_t in_len,
                       const uint8_t *ad, size_t ad_len,
                       uint8_t *out, size_t out_capacity);

#if defined(__cplusplus)
}
#endif

#endif
