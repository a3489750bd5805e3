/* test_boot.c - unit tests for booting: probes on loopback and files, clone names, addresses and marks, the KVM clone XML, rendering, the guard rails. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check.h"
#include "../../backends/clone.h"
#include "boot.h"
#include "config.h"
#include "output.h"
#include "probe.h"
#include "util.h"

static char tmpdir[256];

/* A listening socket on 127.0.0.1 and its port. */
static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_probe_tcp(void)
{
	char err[256];
	int port = 0;
	int lfd = listen_loopback(&port);
	CHECK(lfd >= 0);
	struct probe *p = probe_new(READY_TCP, port, NULL, err, sizeof err);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_I64(probe_once(p, PROBE_PERIOD_S), 0); /* no address yet: not ready */
	CHECK(probe_set_address(p, "127.0.0.1") == 0);
	CHECK(probe_set_address(p, "not-an-address") < 0);
	CHECK_I64(probe_once(p, PROBE_PERIOD_S), 1);
	char what[128];
	probe_describe(p, what, sizeof what);
	char want[64];
	snprintf(want, sizeof want, "tcp 127.0.0.1:%d", port);
	CHECK_STR(what, want);
	close(lfd); /* now refused: not ready, and at once */
	double t0 = util_now_mono();
	CHECK_I64(probe_once(p, 1.0), 0);
	CHECK(util_now_mono() - t0 < 0.5);
	probe_free(p);
}

/* Ping loopback only where this process may open an ICMP socket (root, or ping_group_range). */
static void test_probe_ping(void)
{
	char err[256];
	struct probe *p = probe_new(READY_PING, 0, NULL, err, sizeof err);
	if (!p) {
		printf("# ping probe skipped: %s\n", err);
		CHECK(strstr(err, "ICMP socket") != NULL);
		return;
	}
	CHECK(probe_set_address(p, "127.0.0.1") == 0);
	int ok = 0;
	for (int i = 0; i < 25 && !ok; i++)
		ok = probe_once(p, PROBE_PERIOD_S);
	CHECK_I64(ok, 1);
	probe_free(p);
}

static void append(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_probe_console(void)
{
	char err[256], path[512];
	snprintf(path, sizeof path, "%s/console.log", tmpdir);
	struct probe *p = probe_new(READY_CONSOLE, 0, "guest up", err, sizeof err);
	CHECK(p != NULL);
	if (!p)
		return;
	probe_set_log(p, path);
	CHECK_I64(probe_once(p, 0), 0);       /* no file yet */
	append(path, "booting...\nthe gue");
	CHECK_I64(probe_once(p, 0), 0);
	append(path, "st u");                 /* the text split across three reads */
	CHECK_I64(probe_once(p, 0), 0);
	append(path, "p 10.0.0.2\n");
	CHECK_I64(probe_once(p, 0), 1);
	/* A log truncated by a restart is read from its start again. */
	CHECK(truncate(path, 0) == 0);
	probe_set_log(p, path);
	append(path, "guest");
	CHECK_I64(probe_once(p, 0), 0);
	append(path, " down\n");
	CHECK_I64(probe_once(p, 0), 0);
	probe_free(p);
	unlink(path);
}

static void test_clone_helpers(void)
{
	char buf[64];
	CHECK(clone_address_add("10.0.0.11", 0, buf, sizeof buf) == 0);
	CHECK_STR(buf, "10.0.0.11");
	CHECK(clone_address_add("10.0.0.250", 4, buf, sizeof buf) == 0);
	CHECK_STR(buf, "10.0.0.254");
	CHECK(clone_address_add("10.0.0.250", 5, buf, sizeof buf) < 0); /* the broadcast address */
	CHECK(clone_address_add("10.0.0.1", -1, buf, sizeof buf) < 0);
	CHECK(clone_address_add("nope", 1, buf, sizeof buf) < 0);

	clone_random_mac("52:54:00", buf, sizeof buf);
	CHECK_I64(strlen(buf), 17);
	CHECK(strncmp(buf, "52:54:00:", 9) == 0);

	CHECK(clone_name_has_prefix("uksm-demo-lxc-1", "uksm-demo-lxc-"));
	CHECK(!clone_name_has_prefix("uksm-demo-lxc", "uksm-demo-lxc-"));
	CHECK(!clone_name_has_prefix("uksm-demo-lxc-", "uksm-demo-lxc-")); /* the prefix alone is not a clone */
	CHECK(!clone_name_has_prefix("web1", ""));

	struct clone_mark m;
	CHECK(clone_mark_parse("# made by uksmtop\ntemplate=demo\nsource=src\nprefix=uksm-d-\nconsole=/x/uksm-d-1.log\n",
			       &m) == 0);
	CHECK_STR(m.template_name, "demo");
	CHECK_STR(m.prefix, "uksm-d-");
	CHECK_STR(m.console_log, "/x/uksm-d-1.log");
	CHECK(clone_mark_parse("template=demo\n", &m) < 0); /* no prefix: not a mark */
}

static void test_clone_unlink_log(void)
{
	char mine[512], other[512], rel[64] = "uksm-d-1.console.log";
	snprintf(mine, sizeof mine, "%s/uksm-d-1.console.log", tmpdir);
	snprintf(other, sizeof other, "%s/uksm-d-10.console.log", tmpdir);
	append(mine, "x");
	append(other, "x");
	clone_unlink_log(other, "uksm-d-1");   /* another clone's log: kept */
	CHECK(access(other, F_OK) == 0);
	clone_unlink_log(rel, "uksm-d-1");     /* relative: kept (and not there) */
	clone_unlink_log(mine, "uksm-d-1");
	CHECK(access(mine, F_OK) != 0);
	unlink(other);
}

#ifdef HAVE_LIBVIRT
static const char src_xml[] =
	"<domain type='qemu'>\n"
	"  <name>src</name>\n"
	"  <uuid>410a284a-9080-4e0b-ba75-3f8122f7df9e</uuid>\n"
	"  <memory unit='KiB'>131072</memory>\n"
	"  <os>\n"
	"    <cmdline>console=ttyS0 quiet uksm.ip=10.1.2.100/24</cmdline>\n"
	"  </os>\n"
	"  <devices>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2'/>\n"
	"      <source file='/img/src.qcow2'/>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <source file='/img/boot.iso'/>\n"
	"      <target dev='hdc' bus='ide'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <interface type='bridge'>\n"
	"      <mac address='52:54:00:5c:15:a7'/>\n"
	"      <source bridge='br0'/>\n"
	"    </interface>\n"
	"    <serial type='file'>\n"
	"      <source path='/var/log/g/src.console.log'/>\n"
	"      <target port='0'/>\n"
	"    </serial>\n"
	"    <console type='file'>\n"
	"      <source path='/var/log/g/src.console.log'/>\n"
	"      <target type='serial' port='0'/>\n"
	"    </console>\n"
	"    <graphics type='vnc' port='5901' autoport='no' listen='127.0.0.1'/>\n"
	"  </devices>\n"
	"</domain>\n";

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

static void test_libvirt_xml(void)
{
	struct template t;
	template_defaults(&t, "demo");
	const char *why;
	template_set(&t, "source", "src", &why);
	template_set(&t, "type", "kvm", &why);
	template_set(&t, "prefix", "src-", &why);
	char console[512], err[512];
	char *x = clone_libvirt_xml(src_xml, &t, "src-3", 3, "10.1.2.103", console, sizeof console, err, sizeof err);
	CHECK(x != NULL);
	if (!x) {
		fprintf(stderr, "clone_libvirt_xml: %s\n", err);
		return;
	}
	CHECK(strstr(x, "<name>src-3</name>") != NULL);
	CHECK(strstr(x, "<uuid>") == NULL);
	CHECK(strstr(x, "52:54:00:5c:15:a7") == NULL);      /* a fresh MAC */
	CHECK_I64(count(x, "<mac address='52:54:00:"), 1);
	CHECK_I64(count(x, "<transient shareBacking='yes'/>"), 1); /* the disk, not the cdrom */
	CHECK(strstr(x, "uksm.ip=10.1.2.103/24") != NULL);
	CHECK_I64(count(x, "/var/log/g/src-3.console.log"), 3); /* serial, console, and the mark */
	CHECK(strstr(x, "src.console.log") == NULL);
	CHECK_STR(console, "/var/log/g/src-3.console.log");
	CHECK(strstr(x, "autoport='yes'") != NULL);
	CHECK(strstr(x, "port='5901'") == NULL);
	CHECK(strstr(x, "listen='127.0.0.1'") != NULL);
	CHECK(strstr(x, "xmlns:uksmtop='urn:uksmtop:clone:1' template='demo' source='src' prefix='src-' index='3'") != NULL);
	free(x);

	/* A shareable disk would be written by every clone, a network disk cannot be transient: refused. */
	const char *shared = "<domain>\n  <name>src</name>\n  <devices>\n    <disk type='file' device='disk'>\n"
			     "      <source file='/img/s.raw'/>\n      <shareable/>\n    </disk>\n  </devices>\n</domain>\n";
	x = clone_libvirt_xml(shared, &t, "src-1", 1, "", console, sizeof console, err, sizeof err);
	CHECK(x == NULL);
	CHECK(strstr(err, "shareable disk") != NULL);
	const char *net = "<domain>\n  <name>src</name>\n  <devices>\n    <disk type='network' device='disk'>\n"
			  "      <source protocol='nbd' name='x'/>\n    </disk>\n  </devices>\n</domain>\n";
	x = clone_libvirt_xml(net, &t, "src-1", 1, "", console, sizeof console, err, sizeof err);
	CHECK(x == NULL);
	CHECK(strstr(err, "type 'network'") != NULL);

	/* ready = console needs a log to read. */
	template_set(&t, "ready", "console:up", &why);
	const char *nolog = "<domain>\n  <name>src</name>\n  <devices>\n  </devices>\n</domain>\n";
	x = clone_libvirt_xml(nolog, &t, "src-1", 1, "", console, sizeof console, err, sizeof err);
	CHECK(x == NULL);
	CHECK(strstr(err, "ready = console") != NULL);
}
#endif

static void test_render(void)
{
	struct boot_clone cl[2] = {
		{ .name = "c-1", .address = "10.0.0.11", .state = BOOT_CLONE_READY, .start_s = 0, .ready_s = 1.5, .merge_any = 1 },
		{ .name = "c-2", .address = "10.0.0.12", .state = BOOT_CLONE_FAILED, .start_s = 0.01, .ready_s = NAN,
		  .merge_any = -1, .error = "not ready within 3 s (ping 10.0.0.12)" },
	};
	struct boot_snapshot s = { .phase = BOOT_DONE, .mode = BOOT_STORM, .template_name = "demo", .type = INST_LXC,
				   .ready = "ping", .timeout_s = 3, .n = 2, .wall_start = 0, .clones = cl, .status = 1 };
	s.result = (struct boot_result){ .total_s = 3.01, .min_s = 1.5, .median_s = 1.5, .max_s = 1.5,
					  .cpu_mean_pct = 40, .cpu_peak_pct = 75.5, .failed = 1 };
	struct outbuf b = { 0 };
	boot_render(&b, OUT_JSON, &s);
	CHECK(b.p && strncmp(b.p, "{\"boot\":{\"mode\":\"storm\",\"time\":\"1970-01-01T00:00:00.000Z\",\"template\":\"demo\"", 75) == 0);
	CHECK(b.p && strstr(b.p, "\"total_s\":3.010,\"min_s\":1.500,") != NULL);
	CHECK(b.p && strstr(b.p, "\"ready_s\":null,\"merge_any\":null,\"error\":\"not ready within 3 s (ping 10.0.0.12)\"") != NULL);
	CHECK(b.p && strstr(b.p, "\"merge_any\":\"yes\"") != NULL);
	CHECK(b.p && count(b.p, "\n") == 1);
	outbuf_free(&b);
	boot_render(&b, OUT_CSV, &s);
	CHECK(b.p && count(b.p, "\n") == 4);  /* header, boot, two clones */
	CHECK(b.p && strstr(b.p, "\nboot,1970-01-01T00:00:00.000Z,storm,demo,lxc,2,3.010,1.500,1.500,1.500,40.0,75.5,1,") != NULL);
	CHECK(b.p && strstr(b.p, ",c-2,10.0.0.12,failed,0.010,,,not ready within 3 s (ping 10.0.0.12)\n") != NULL);
	outbuf_free(&b);
	boot_render(&b, OUT_TEXT, &s);
	CHECK(b.p && strstr(b.p, "Boot storm: 2 clones of template demo (lxc, ready = ping, timeout 3 s)") != NULL);
	CHECK(b.p && strstr(b.p, "failed 1\n") != NULL);
	outbuf_free(&b);

	struct boot_removal r = { 0 };
	char names[2][INST_NAME_MAX] = { "c-1", "c-2" };
	r.removed = names;
	r.n_removed = 2;
	boot_render_removal(&b, OUT_JSON, &r);
	CHECK_STR(b.p, "{\"cleanup\":{\"removed\":2,\"names\":[\"c-1\",\"c-2\"],\"errors\":[],\"note\":null}}\n");
	outbuf_free(&b);
	boot_render_removal(&b, OUT_TEXT, &r);
	CHECK_STR(b.p, "Cleanup: removed 2 clones: c-1, c-2\n");
	outbuf_free(&b);
}

static void test_precheck(void)
{
	struct config cfg;
	config_defaults(&cfg);
	template_defaults(&cfg.templates[0], "demo");
	const char *why;
	template_set(&cfg.templates[0], "type", "lxc", &why);
	template_set(&cfg.templates[0], "source", "src", &why);
	cfg.n_templates = 1;
	cfg.max_boot = 4;
	char err[512];
	struct boot_request rq = { .template_name = "demo", .n = 2, .mode = BOOT_STORM, .backend = DEDUP_KSM };
	cfg.secure = true;
	CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 2);
	CHECK(strstr(err, "secure mode") != NULL);
	CHECK(boot_start(&cfg, &rq, err, sizeof err) == NULL); /* refused before any thread */
	struct boot_removal rm;
	CHECK_I64(boot_cleanup(&cfg, NULL, NULL, 0, &rm, err, sizeof err), 2);
	cfg.secure = false;
	if (geteuid() != 0) {
		CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 2);
		CHECK(strstr(err, "needs root") != NULL);
		return;
	}
	CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 0);
	rq.n = 5;
	CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 2);
	CHECK(strstr(err, "5 clones asked, at most 4 at once") != NULL);
	rq.n = 1;
	rq.template_name = "other";
	CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 2);
	CHECK(strstr(err, "no template 'other'") != NULL && strstr(err, "templates: demo") != NULL);
	rq.template_name = "demo";
	cfg.use_lxc = false;
	CHECK_I64(boot_precheck(&cfg, &rq, err, sizeof err), 2);
	CHECK(strstr(err, "[template demo] type = lxc") != NULL);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_boot.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_probe_tcp();
	test_probe_ping();
	test_probe_console();
	test_clone_helpers();
	test_clone_unlink_log();
#ifdef HAVE_LIBVIRT
	test_libvirt_xml();
#endif
	test_render();
	test_precheck();
	rmdir(tmpdir);
	return check_done();
}
