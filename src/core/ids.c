/* ids — time-ordered object ids and random client_ids (see ids.h). */
#include "core/ids.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/model.h"
#include "crypto/rand.h"

/* Crockford's alphabet is in ascending ASCII order, so the text sorts like the number. */
static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

bool clv_id_new(const char *prefix, char out[CLV_ID_LEN])
{
    unsigned char rnd[16];
    uint64_t ms = (uint64_t)clv_now_us() / 1000;
    size_t plen = strlen(prefix);
    char *p;

    if (plen > 8 || !clv_rand_public(rnd, sizeof rnd))
        return false;
    memcpy(out, prefix, plen);
    out[plen] = '_';
    p = out + plen + 1;
    for (int i = 9; i >= 0; i--) { /* 50 bits of milliseconds: good until year 37648 */
        p[i] = crockford[ms & 31];
        ms >>= 5;
    }
    p += 10;
    for (int i = 0; i < 16; i++) /* 80 random bits: the low 5 of each byte are uniform */
        p[i] = crockford[rnd[i] & 31];
    p[16] = '\0';
    return true;
}

bool clv_client_id_new(char out[CLV_ID_LEN])
{
    /* Draw again when it would start with '-' or '_': an id that looks like a command-line
     * flag trips up every tool it is pasted into (1 in 32 draws). */
    for (int tries = 0; tries < 64; tries++) {
        if (!clv_rand_token(16, out))
            return false;
        if (out[0] != '-' && out[0] != '_')
            return true;
    }
    return false;
}

bool clv_id_time_ms(const char *id, long long *ms)
{
    const char *p = id != NULL ? strchr(id, '_') : NULL;
    long long v = 0;

    if (p == NULL || strlen(p + 1) != 26)
        return false;
    for (int i = 1; i <= 10; i++) {
        const char *c = strchr(crockford, p[i]);
        if (p[i] == '\0' || c == NULL)
            return false;
        v = v * 32 + (c - crockford);
    }
    *ms = v;
    return true;
}
