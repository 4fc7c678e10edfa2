/* ids — identifiers of stored objects. */
#ifndef CLV_CORE_IDS_H
#define CLV_CORE_IDS_H

#include <stdbool.h>

enum { CLV_ID_LEN = 48 };

/* Writes "<prefix>_<10 chars of millisecond time><16 random chars>" in lowercase Crockford
 * base32 into out, so that ids of one kind sort in creation order (the list order of
 * docs/DESIGN.md R8 breaks ties by id). prefix is at most 8 characters. false if the CSPRNG
 * failed. */
bool clv_id_new(const char *prefix, char out[CLV_ID_LEN]);

/* The creation time in Unix milliseconds of an id made by clv_id_new; false if id is not
 * of that form. */
bool clv_id_time_ms(const char *id, long long *ms);

/* A new public client_id: 22 base64url characters (128 random bits), URL-safe, never
 * starting with '-' or '_'. */
bool clv_client_id_new(char out[CLV_ID_LEN]);

#endif
