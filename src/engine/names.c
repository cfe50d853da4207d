/* Generated container names, "adjective_surname" as Docker makes them,
 * from our own word lists: computing and science people. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

#include "engine/engine.h"
#include "lib/macros.h"

static const char *const adjectives[] = {
        "agile",    "amber",   "ardent", "azure",  "bold",    "brave",    "brisk",  "calm",    "candid",
        "cheery",   "clever",  "cosmic", "crisp",  "curious", "daring",   "deft",   "eager",   "earnest",
        "fearless", "fervent", "gentle", "gifted", "glowing", "graceful", "hardy",  "humble",  "jolly",
        "keen",     "kind",    "lively", "lucid",  "merry",   "mellow",   "nimble", "noble",   "patient",
        "placid",   "plucky",  "polite", "quiet",  "radiant", "serene",   "sharp",  "snappy",  "steady",
        "sunny",    "swift",   "tender", "tidy",   "vivid",   "wise",     "witty",  "zealous", "zen",
};

static const char *const surnames[] = {
        "babbage",  "backus",   "bell",      "boole",   "cerf",     "church",  "codd",   "conway",
        "curie",    "dijkstra", "engelbart", "euler",   "faraday",  "feynman", "gauss",  "goldberg",
        "hamilton", "hamming",  "hopper",    "huffman", "johnson",  "kahan",   "kay",    "knuth",
        "lamport",  "liskov",   "lovelace",  "maxwell", "mccarthy", "meitner", "minsky", "moore",
        "neumann",  "noether",  "perlman",   "pike",    "ritchie",  "shannon", "shamir", "sutherland",
        "tesla",    "thompson", "torvalds",  "turing",  "wirth",    "wozniak", "yalow",
};

char *engine_random_name(void)
{
        unsigned r[2] = { 0 };
        char *s = NULL;

        if (getrandom(r, sizeof(r), 0) != sizeof(r)) {
                r[0] = (unsigned)random();
                r[1] = (unsigned)random();
        }
        if (asprintf(&s, "%s_%s", adjectives[r[0] % ELEMENTSOF(adjectives)], surnames[r[1] % ELEMENTSOF(surnames)]) < 0)
                return NULL;
        return s;
}
