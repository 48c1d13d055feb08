// libcrypto entry points privgw uses: SHA-256 and HMAC-SHA256 for SigV4.
#ifndef PRIVGW_CCRYPTO_SHIM_H
#define PRIVGW_CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>

// The low-level SHA-256 API: a plain-struct state (copyable by value, no allocation, no provider lookup), which
// lets the signer keep HMAC's keyed inner/outer states per signing key. Deprecated in OpenSSL 3 in favour of EVP,
// still exported; wrapped here so the deprecation stays out of the Swift build.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline int privgw_sha256_init(SHA256_CTX *c) { return SHA256_Init(c); }
static inline int privgw_sha256_update(SHA256_CTX *c, const void *data, size_t len) { return SHA256_Update(c, data, len); }
static inline int privgw_sha256_final(unsigned char *md, SHA256_CTX *c) { return SHA256_Final(md, c); }
#pragma clang diagnostic pop
#endif
