/* libFuzzer target: arbitrary bytes through the TOML parser and the rule loader. A failure
 * must carry "name:line:col: reason" with the position inside the text; a success must give
 * a tree whose JSON export works and whose string offsets map back into each string's raw
 * text, on the byte that produced each decoded byte. Nothing may leak either way. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "toml/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(const char *err, size_t size)
{
    int line, col;
    char colon;
    if (sscanf(err, "f:%d:%d%c", &line, &col, &colon) != 3 || colon != ':')
        abort(); /* no position */
    if (line < 1 || col < 1 || (size_t)line > size + 1 || (size_t)col > size + 1)
        abort();
    if (strlen(err) < strlen("f:1:1: x"))
        abort(); /* no reason */
}

static void check_value(const struct toml_doc *doc, const struct toml_value *v, int depth)
{
    size_t len;
    const char *text = toml_doc_text(doc, &len);
    if (depth > TOML_MAX_DEPTH + 2 || v->src_off > len || v->src_len > len - v->src_off)
        abort();
    if (v->type == TOML_STRING) {
        size_t n;
        const char *s = toml_as_str(v, &n);
        size_t prev = v->src_off;
        /* each lookup rescans the string: check every offset of short strings, 16 of long ones */
        size_t step = n > 64 ? n / 16 : 1;
        for (size_t k = 0; k <= n; k = k < n && k + step > n ? n : k + step) {
            size_t o = toml_str_src_offset(doc, v, k);
            if (o < prev || o >= v->src_off + v->src_len)
                abort(); /* outside the raw text, or going backwards */
            if (k < n && text[o] != '\\' && text[o] != s[k])
                abort(); /* a plain byte must map onto itself */
            prev = o;
        }
    } else if (v->type == TOML_ARRAY) {
        for (size_t i = 0; i < toml_array_len(v); i++)
            check_value(doc, toml_array_at(v, i), depth + 1);
    } else if (v->type == TOML_TABLE) {
        for (size_t i = 0; i < toml_table_len(v); i++) {
            const struct toml_kv *kv = toml_table_at(v, i);
            if (toml_get(v, kv->key) == NULL && strlen(kv->key) == kv->key_len)
                abort(); /* every key can be looked up */
            check_value(doc, kv->val, depth + 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    struct toml_doc *doc = toml_parse("f", (const char *)data, size, err, sizeof err);
    if (!doc) {
        check_error(err, size);
    } else {
        check_value(doc, toml_root(doc), 0);
        struct buf b = {0};
        toml_to_json(&b, toml_root(doc));
        buf_clear(&b);
        toml_free(doc);
    }
    struct rule *r = rule_load_text("f", (const char *)data, size, err, sizeof err);
    if (!r) {
        check_error(err, size);
    } else {
        int line, col;
        if (r->query && !rule_query_position(r, strlen(r->query) / 2, &line, &col))
            abort();
        rule_free(r);
    }
    return 0;
}
