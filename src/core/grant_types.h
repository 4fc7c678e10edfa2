/* grant_types — the grant types of the token endpoint (RFC 6749 §4.1, §4.4, §6), each
 * named once, in one table.
 *
 * A row of CLV_GRANT_TYPES is one grant: its id (clv_grant), its RFC name, and who may use
 * it — the client types that always may, the client types that may when the client's
 * option is on, and that option (one of the client's allow_* fields). Everything that
 * lists grants reads this table:
 *   - the token endpoint (oauth/token.c) parses grant_type here, checks the client with
 *     clv_grant_allowed, and runs the handler that oauth/grants.c attaches to the id;
 *   - discovery's grant_types_supported (oauth/discovery.c) is clv_grant_names();
 *   - a client's derived grant_types (clv_client_grant_types, core/model.c) is the rows
 *     clv_grant_allowed admits;
 *   - dynamic registration (oauth/register_map.c) maps RFC 7591 grant_types back to a
 *     client type and options with clv_grant_type_may and clv_grant_option.
 * The split: core holds what a grant is called and who may use it, since core must not
 * include oauth (docs/ARCHITECTURE.md); oauth holds what a grant does, in a switch over
 * clv_grant that the compiler checks is complete (-Wswitch).
 *
 * Row order is the order of grant_types_supported and of a client's grant_types. */
#ifndef CLV_CORE_GRANT_TYPES_H
#define CLV_CORE_GRANT_TYPES_H

#include <jansson.h>
#include <stdbool.h>

#include "base/model.h"

/* Sets of client types, for the table. */
#define CLV_FOR_PUBLIC (1u << CLV_TYPE_PUBLIC)
#define CLV_FOR_CONFIDENTIAL (1u << CLV_TYPE_CONFIDENTIAL)
#define CLV_FOR_M2M (1u << CLV_TYPE_M2M)
#define CLV_FOR_USERS (CLV_FOR_PUBLIC | CLV_FOR_CONFIDENTIAL) /* clients that redirect users */

/* The client options that let a client use a grant: one per allow_* field of clv_client. */
typedef enum {
    CLV_OPTION_NONE,
    CLV_OPTION_REFRESH_TOKEN,     /* allow_refresh_token (docs/DESIGN.md R16) */
    CLV_OPTION_CLIENT_CREDENTIALS /* allow_client_credentials */
} clv_grant_option_id;

/* docs/DESIGN.md M table: the code flow for clients that redirect users, refresh tokens when the
 * client allows them, client_credentials for m2m clients and confidential ones that allow
 * it. X(id, name, the types that always may, the types that may with the option on, the
 * option). */
#define CLV_GRANT_TYPES(X)                                                                         \
    X(AUTHORIZATION_CODE, "authorization_code", CLV_FOR_USERS, 0, NONE)                            \
    X(REFRESH_TOKEN, "refresh_token", 0, CLV_FOR_USERS, REFRESH_TOKEN)                             \
    X(CLIENT_CREDENTIALS, "client_credentials", CLV_FOR_M2M, CLV_FOR_CONFIDENTIAL,                 \
      CLIENT_CREDENTIALS)

typedef enum {
#define CLV_GRANT_ENUM(id, name, always, with_option, option) CLV_GRANT_##id,
    CLV_GRANT_TYPES(CLV_GRANT_ENUM)
#undef CLV_GRANT_ENUM
        CLV_GRANT_COUNT
} clv_grant;

/* The RFC name of g ("authorization_code"); NULL for a value outside the table. */
const char *clv_grant_name(clv_grant g);

/* Finds the grant called name (compared whole); false when Clavis has none by that name
 * (or name is NULL). */
bool clv_grant_parse(const char *name, clv_grant *out);

/* Whether client c may use g now: its type always may, or may with its option on. */
bool clv_grant_allowed(const clv_client *c, clv_grant g);

/* Whether a client of type t may use g at all (always, or once its option is on). */
bool clv_grant_type_may(clv_client_type t, clv_grant g);

/* The client field (a boolean of the client JSON, e.g. "allow_refresh_token") that lets a
 * client use g; NULL when no option is involved. */
const char *clv_grant_option(clv_grant g);

/* Every grant's name in table order, as a new JSON array (grant_types_supported); NULL
 * when out of memory. */
json_t *clv_grant_names(void);

/* Writes "a, b or c" of every grant's name into buf (size n, truncated if short), for
 * messages that list the choices. */
void clv_grant_names_text(char *buf, size_t n);

/* The grant types a client may use (the rows of the table it may use), as a
 * new jansson array of strings. NULL on allocation failure. */
json_t *clv_client_grant_types(const clv_client *c);

#endif
