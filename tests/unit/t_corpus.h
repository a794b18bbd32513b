/* t_corpus.h — the shared Elastic rule corpus for tests (../shared/corpus beside the repo). */
#ifndef T_CORPUS_H
#define T_CORPUS_H
#include <stddef.h>

/*
 * Every rule file of the corpus, sorted, into *paths (caller frees each and the array).
 * SKIPs the calling test when the corpus is not there; fails it if it cannot be listed
 * (then *npaths is 0).
 */
void t_corpus_files(char ***paths, size_t *npaths);

#endif
