#include "CPasskeyMLDSA.h"

#include <CCryptoBoringSSL_bytestring.h>
#include <CCryptoBoringSSL_mem.h>
#include <CCryptoBoringSSL_mldsa.h>

_Static_assert(PASSKEYS_MLDSA44_PUBLIC_KEY_BYTES == MLDSA44_PUBLIC_KEY_BYTES, "ML-DSA-44 public key size");
_Static_assert(PASSKEYS_MLDSA44_SIGNATURE_BYTES == MLDSA44_SIGNATURE_BYTES, "ML-DSA-44 signature size");
_Static_assert(PASSKEYS_MLDSA44_SEED_BYTES == MLDSA_SEED_BYTES, "ML-DSA seed size");

static int parse_public_key(struct MLDSA44_public_key *key, const uint8_t *bytes, size_t length) {
  CBS cbs;
  CBS_init(&cbs, bytes, length);
  return MLDSA44_parse_public_key(key, &cbs);
}

int passkeys_mldsa44_public_key_is_valid(const uint8_t *public_key, size_t public_key_len) {
  struct MLDSA44_public_key key;
  return parse_public_key(&key, public_key, public_key_len) == 1;
}

int passkeys_mldsa44_verify(const uint8_t *public_key, size_t public_key_len,
                            const uint8_t *signature, size_t signature_len,
                            const uint8_t *message, size_t message_len,
                            const uint8_t *context, size_t context_len) {
  struct MLDSA44_public_key key;
  if (parse_public_key(&key, public_key, public_key_len) != 1) {
    return 0;
  }
  return MLDSA44_verify(&key, signature, signature_len, message, message_len, context, context_len) == 1;
}

int passkeys_mldsa44_generate(uint8_t out_public_key[PASSKEYS_MLDSA44_PUBLIC_KEY_BYTES],
                              uint8_t out_seed[PASSKEYS_MLDSA44_SEED_BYTES]) {
  struct MLDSA44_private_key private_key;
  int ok = MLDSA44_generate_key(out_public_key, out_seed, &private_key);
  OPENSSL_cleanse(&private_key, sizeof(private_key));
  return ok == 1;
}

int passkeys_mldsa44_sign(const uint8_t seed[PASSKEYS_MLDSA44_SEED_BYTES],
                          const uint8_t *message, size_t message_len,
                          const uint8_t *context, size_t context_len,
                          uint8_t out_signature[PASSKEYS_MLDSA44_SIGNATURE_BYTES]) {
  struct MLDSA44_private_key private_key;
  int ok = MLDSA44_private_key_from_seed(&private_key, seed, PASSKEYS_MLDSA44_SEED_BYTES) == 1 &&
           MLDSA44_sign(out_signature, &private_key, message, message_len, context, context_len) == 1;
  OPENSSL_cleanse(&private_key, sizeof(private_key));
  return ok;
}
