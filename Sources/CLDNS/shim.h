#ifndef PEIL_CLDNS_SHIM_H
#define PEIL_CLDNS_SHIM_H
#include <ldns/ldns.h>

/* ldns reads the header fields of a wire-format message with function-like macros, which
 * Swift cannot import; these wrap them. `wire` must hold at least LDNS_HEADER_SIZE octets. */
static inline uint8_t peil_ldns_rcode(const uint8_t *wire) { return LDNS_RCODE_WIRE(wire); }
static inline uint16_t peil_ldns_qdcount(const uint8_t *wire) { return LDNS_QDCOUNT(wire); }
static inline uint16_t peil_ldns_ancount(const uint8_t *wire) { return LDNS_ANCOUNT(wire); }
#endif
