#include "CPasskeyAEAD.h"

#include <CCryptoBoringSSL_aead.h>
#include <CCryptoBoringSSL_mem.h>

struct passkeys_aead {
  EVP_AEAD_CTX *ctx;
};

passkeys_aead *passkeys_chacha20_poly1305_new(const uint8_t key[PASSKEYS_CHACHA20_POLY1305_KEY_BYTES]) {
  const EVP_AEAD *algorithm = EVP_aead_chacha20_poly1305();
  if (EVP_AEAD_key_length(algorithm) != PASSKEYS_CHACHA20_POLY1305_KEY_BYTES ||
      EVP_AEAD_nonce_length(algorithm) != PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES ||
      EVP_AEAD_max_tag_len(algorithm) != PASSKEYS_CHACHA20_POLY1305_TAG_BYTES) {
    return NULL;
  }
  passkeys_aead *aead = OPENSSL_malloc(sizeof(passkeys_aead));
  if (aead == NULL) {
    return NULL;
  }
  aead->ctx = EVP_AEAD_CTX_new(algorithm, key, PASSKEYS_CHACHA20_POLY1305_KEY_BYTES,
                               EVP_AEAD_DEFAULT_TAG_LENGTH);
  if (aead->ctx == NULL) {
    OPENSSL_free(aead);
    return NULL;
  }
  return aead;
}

void passkeys_aead_free(passkeys_aead *aead) {
  if (aead == NULL) {
    return;
  }
  // EVP_AEAD_CTX_free cleans the key's state up before it frees it.
  EVP_AEAD_CTX_free(aead->ctx);
  OPENSSL_free(aead);
}

int passkeys_aead_seal(const passkeys_aead *aead,
                       const uint8_t nonce[PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES],
                       const uint8_t *in, size_t in_len,
                       const uint8_t *ad, size_t ad_len,
                       uint8_t *out, size_t out_capacity) {
  if (aead == NULL || out == NULL || in_len > SIZE_MAX - PASSKEYS_CHACHA20_POLY1305_TAG_BYTES ||
      out_capacity < in_len + PASSKEYS_CHACHA20_POLY1305_TAG_BYTES) {
    return 0;
  }
  size_t written = 0;
  int ok = EVP_AEAD_CTX_seal(aead->ctx, out, &written, out_capacity, nonce,
                             PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES, in, in_len, ad, ad_len);
  return ok == 1 && written == in_len + PASSKEYS_CHACHA20_POLY1305_TAG_BYTES;
}

int passkeys_aead_open(const passkeys_aead *aead,
                       const uint8_t nonce[PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES],
                       const uint8_t *in, size_t in_len,
                       const uint8_t *ad, size_t ad_len,
                       uint8_t *out, size_t out_capacity) {
  if (aead == NULL || out == NULL || in_len < PASSKEYS_CHACHA20_POLY1305_TAG_BYTES ||
      out_capacity < in_len - PASSKEYS_CHACHA20_POLY1305_TAG_BYTES) {
    return 0;
  }
  size_t written = 0;
  int ok = EVP_AEAD_CTX_open(aead->ctx, out, &written, out_capacity, nonce,
                             PASSKEYS_CHACHA20_POLY1305_NONCE_BYTES, in, in_len, ad, ad_len);
  return ok == 1 && written == in_len - PASSKEYS_CHACHA20_POLY1305_TAG_BYTES;
}
