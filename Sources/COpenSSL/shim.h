#ifndef PEIL_COPENSSL_SHIM_H
#define PEIL_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ocsp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

/* OpenSSL's function-like macros are invisible to Swift; these wrap the ones Peil uses. */
static inline int peil_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int peil_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}
static inline int peil_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}
/* Certificate stacks (DANE chain verification): the sk_X509_* names are macros. */
static inline STACK_OF(X509) *peil_sk_X509_new_null(void) {
    return sk_X509_new_null();
}
static inline int peil_sk_X509_push(STACK_OF(X509) *stack, X509 *cert) {
    return sk_X509_push(stack, cert);
}
static inline void peil_sk_X509_pop_free(STACK_OF(X509) *stack) {
    sk_X509_pop_free(stack, X509_free);
}
/* The lab's endpoint server and certificate factory (LabEndpoints). */
static inline long peil_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return SSL_CTX_set1_groups_list(ctx, list);
}
static inline long peil_SSL_CTX_set_dh_auto(SSL_CTX *ctx, int on) {
    return SSL_CTX_set_dh_auto(ctx, on);
}
static inline EVP_PKEY *peil_EVP_RSA_gen(unsigned int bits) {
    return EVP_RSA_gen(bits);
}
static inline EVP_PKEY *peil_EVP_EC_gen(const char *curve) {
    return EVP_EC_gen(curve);
}
static inline uint64_t peil_SSL_OP_NO_TLSv1(void) { return SSL_OP_NO_TLSv1; }
static inline uint64_t peil_SSL_OP_NO_TLSv1_1(void) { return SSL_OP_NO_TLSv1_1; }
static inline uint64_t peil_SSL_OP_NO_TLSv1_2(void) { return SSL_OP_NO_TLSv1_2; }
static inline uint64_t peil_SSL_OP_NO_TLSv1_3(void) { return SSL_OP_NO_TLSv1_3; }
static inline uint64_t peil_SSL_OP_ALLOW_CLIENT_RENEGOTIATION(void) { return SSL_OP_ALLOW_CLIENT_RENEGOTIATION; }
static inline uint64_t peil_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return SSL_OP_CIPHER_SERVER_PREFERENCE; }
/* OCSP stapling (the lab's endpoint server staples a response made by the lab CA). */
static inline long peil_SSL_CTX_set_tlsext_status_cb(SSL_CTX *ctx, int (*cb)(SSL *, void *)) {
    return SSL_CTX_set_tlsext_status_cb(ctx, cb);
}
static inline long peil_SSL_CTX_set_tlsext_status_arg(SSL_CTX *ctx, void *arg) {
    return SSL_CTX_set_tlsext_status_arg(ctx, arg);
}
static inline long peil_SSL_set_tlsext_status_ocsp_resp(SSL *ssl, unsigned char *der, long length) {
    return SSL_set_tlsext_status_ocsp_resp(ssl, der, length);
}
static inline void *peil_OPENSSL_malloc(size_t size) { return OPENSSL_malloc(size); }
/* Parameters of a named RFC 7919 group ("ffdhe2048"…) for a DHE server (NULL on failure). */
static inline EVP_PKEY *peil_ffdhe_parameters(const char *name) {
    EVP_PKEY_CTX *context = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
    EVP_PKEY *parameters = NULL;
    OSSL_PARAM settings[2] = { OSSL_PARAM_construct_utf8_string("group", (char *)name, 0), OSSL_PARAM_construct_end() };
    if (context == NULL || EVP_PKEY_paramgen_init(context) <= 0 || EVP_PKEY_CTX_set_params(context, settings) <= 0
        || EVP_PKEY_paramgen(context, &parameters) <= 0) {
        parameters = NULL;
    }
    EVP_PKEY_CTX_free(context);
    return parameters;
}
/* The TLS scanner's client connections (Probes/TLS). */
static inline int peil_SSL_set_min_proto_version(SSL *ssl, int version) {
    return SSL_set_min_proto_version(ssl, version);
}
static inline int peil_SSL_set_max_proto_version(SSL *ssl, int version) {
    return SSL_set_max_proto_version(ssl, version);
}
static inline long peil_SSL_set1_sigalgs_list(SSL *ssl, const char *list) {
    return SSL_set1_sigalgs_list(ssl, list);
}
static inline long peil_SSL_set1_groups_list(SSL *ssl, const char *list) {
    return SSL_set1_groups_list(ssl, list);
}
static inline long peil_SSL_request_ocsp_staple(SSL *ssl) {
    return SSL_set_tlsext_status_type(ssl, TLSEXT_STATUSTYPE_ocsp);
}
static inline long peil_SSL_get_ocsp_staple(SSL *ssl, const unsigned char **response) {
    return SSL_get_tlsext_status_ocsp_resp(ssl, response);
}
static inline int peil_sk_X509_num(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}
static inline X509 *peil_sk_X509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}
/* How many OCSP responder URLs the certificate's Authority Information Access names. */
static inline int peil_X509_ocsp_url_count(X509 *cert) {
    STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
    int count = urls == NULL ? 0 : sk_OPENSSL_STRING_num(urls);
    X509_email_free(urls);
    return count;
}
/* A fresh key of an algorithm without parameters (X25519, X448): EVP_PKEY_Q_keygen is variadic. */
static inline EVP_PKEY *peil_EVP_PKEY_gen_simple(const char *algorithm) {
    return EVP_PKEY_Q_keygen(NULL, NULL, algorithm);
}
static inline uint64_t peil_SSL_OP_LEGACY_SERVER_CONNECT(void) { return SSL_OP_LEGACY_SERVER_CONNECT; }
static inline uint64_t peil_SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION(void) { return SSL_OP_ALLOW_UNSAFE_LEGACY_RENEGOTIATION; }
#endif
