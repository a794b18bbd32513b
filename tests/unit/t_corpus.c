/* t_corpus.c — see t_corpus.h. */
#include "t.h"
#include "t_corpus.h"

#include <unistd.h>

#include "rules/rules.h"

void t_corpus_files(char ***paths, size_t *npaths)
{
    char dir[4096], err[512];
    snprintf(dir, sizeof dir, "%s/../shared/corpus/detection-rules", t_srcdir());
    if (access(dir, R_OK) != 0)
        SKIP("no rule corpus at %s", dir);
    *paths = NULL;
    *npaths = 0;
    if (rule_find_files(dir, paths, npaths, err, sizeof err) < 0)
        t_fail_at(__FILE__, __LINE__, "%s", err);
}
