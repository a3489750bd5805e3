/* fuzz_replay.c - libFuzzer target: a recording's reader (lines, JSON, samples, boot results) on any bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"
#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever replays must render in every format without a fault. */
static void fuzz_render(const struct replay_item *it)
{
	for (int f = OUT_TEXT; f <= OUT_JSON; f++) {
		struct outbuf b = { 0 };
		if (it->kind == REPLAY_SAMPLE)
			output_render(&b, (enum out_format)f, &it->sample, 1);
		else if (it->kind == REPLAY_BOOT)
			boot_render(&b, (enum out_format)f, &it->boot);
		outbuf_free(&b);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/fuzz_replay.XXXXXX", err[512];
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	static const char head[] = "{\"uksmtop_recording\":1}\n";
	if (write(fd, head, sizeof head - 1) < 0 || write(fd, data, size) < 0)
		abort();
	close(fd);
	struct replay *r = replay_open(path, err, sizeof err);
	if (r) {
		struct replay_item it;
		while (replay_next(r, &it, err, sizeof err) > 0) {
			fuzz_render(&it);
			replay_item_free(&it);
		}
		replay_close(r);
	}
	unlink(path);
	return 0;
}
