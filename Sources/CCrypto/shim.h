// libcrypto entry points privgw uses: SHA-256 and HMAC-SHA256 for SigV4.
#ifndef PRIVGW_CCRYPTO_SHIM_H
#define PRIVGW_CCRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
#endif
