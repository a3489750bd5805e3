/* fuzz_theme.c - libFuzzer target for theme files and their style values (tui/theme.c). */
#include "tests/fuzz/fuzz.h"
#include "tui/theme.h"

static char fuzz_path[4096];

static void fuzz_check_style(const struct theme_style *st)
{
	FUZZ_CHECK(st->fg >= -1 && st->fg <= 255);
	FUZZ_CHECK(st->bg >= -1 && st->bg <= 255);
	FUZZ_CHECK((st->attrs & ~0x7fu) == 0);
}

/* The whole input as one value: "fg[,bg][,attr...]". */
static void fuzz_style(const char *s)
{
	int c = theme_parse_colour(s);
	FUZZ_CHECK(c >= -2 && c <= 255);
	struct theme_style st = { 999, 999, 0xdead };
	char err[128];
	memset(err, 'x', sizeof(err));
	int rc = theme_parse_style(s, &st, err, sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	if (rc == 0) {
		fuzz_check_style(&st);
		return;
	}
	FUZZ_CHECK(st.fg == 999 && st.bg == 999 && st.attrs == 0xdead);
	FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && err[0]);
}

/* A file: loaded (maybe with a warning), or refused leaving the default. */
static void fuzz_file(const uint8_t *data, size_t size)
{
	struct theme t, def;
	char err[512] = "";
	fuzz_write_file(fuzz_path, data, size);
	int rc = theme_load_file(fuzz_path, &t, err, sizeof(err));
	FUZZ_CHECK(rc == -1 || rc == 0 || rc == 1);
	FUZZ_CHECK(fuzz_terminated(err, sizeof(err)));
	FUZZ_CHECK(fuzz_terminated(t.name, sizeof(t.name)) && fuzz_terminated(t.path, sizeof(t.path)));
	for (int e = 0; e < TE_N; e++)
		fuzz_check_style(&t.style[e]);
	if (rc != 0)
		FUZZ_CHECK(strncmp(err, fuzz_path, strlen(fuzz_path)) == 0);
	if (rc < 0) {
		theme_builtin_default(&def);
		FUZZ_CHECK(memcmp(t.style, def.style, sizeof(t.style)) == 0);
		return;
	}
	FUZZ_CHECK(strcmp(t.path, fuzz_path) == 0 && strcmp(t.name, "fuzz") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!fuzz_path[0])
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/fuzz.ini", fuzz_tmpdir());
	char *s = fuzz_cstr(data, size);
	fuzz_style(s);
	free(s);
	fuzz_file(data, size);
	return 0;
}
