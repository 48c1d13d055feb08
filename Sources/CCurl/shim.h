// Typed wrappers over libcurl's variadic calls, which Swift cannot call directly.
#ifndef PRIVGW_CCURL_SHIM_H
#define PRIVGW_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode privgw_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode privgw_curl_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode privgw_curl_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode privgw_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode privgw_curl_setopt_offt(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*privgw_curl_write_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode privgw_curl_setopt_writefn(CURL *h, CURLoption o, privgw_curl_write_cb v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode privgw_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
#endif
