/* probe.c - readiness probes: ICMP echo from our own socket, non-blocking TCP connect, a console log that grows. */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define PROBE_TEXT_MAX 128

struct probe {
	enum ready_kind kind;
	int port;
	struct in_addr addr;
	int have_addr;
	/* ping */
	int fd;
	int raw;                  /* SOCK_RAW (root): replies carry the IP header and every echo reply arrives */
	uint16_t id, seq;
	/* console */
	char path[4096];
	off_t pos;
	char text[PROBE_TEXT_MAX];
	char tail[PROBE_TEXT_MAX]; /* the last bytes read, so a text split across reads is found */
	size_t tail_len;
};

static atomic_uint probe_ids;

/* Root gets a raw socket; others an ICMP datagram socket, which the kernel
 * allows to the groups in net.ipv4.ping_group_range. */
static int probe_icmp_socket(struct probe *p, char *err, size_t errlen)
{
	p->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
	p->raw = p->fd >= 0;
	if (p->fd < 0)
		p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
	if (p->fd < 0) {
		snprintf(err, errlen, "ping: cannot open an ICMP socket: %s (needs root, or a group in "
			 "net.ipv4.ping_group_range)", strerror(errno));
		return -1;
	}
	p->id = (uint16_t)(getpid() * 31u + atomic_fetch_add(&probe_ids, 1) + 1);
	return 0;
}

struct probe *probe_new(enum ready_kind kind, int port, const char *text, char *err, size_t errlen)
{
	struct probe *p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->kind = kind;
	p->port = port;
	p->fd = -1;
	if (text)
		util_strlcpy(p->text, text, sizeof p->text);
	if (kind == READY_PING && probe_icmp_socket(p, err, errlen) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

void probe_free(struct probe *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

int probe_set_address(struct probe *p, const char *ipv4)
{
	if (inet_pton(AF_INET, ipv4, &p->addr) != 1)
		return -1;
	p->have_addr = 1;
	return 0;
}

void probe_set_log(struct probe *p, const char *path)
{
	util_strlcpy(p->path, path, sizeof p->path);
	p->pos = 0;
	p->tail_len = 0;
}

/* ---- ping ---- */

static uint16_t probe_csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void probe_icmp_send(struct probe *p)
{
	unsigned char pkt[sizeof(struct icmphdr) + 16];
	memset(pkt, 0, sizeof pkt);
	struct icmphdr *h = (struct icmphdr *)pkt;
	h->type = ICMP_ECHO;
	h->un.echo.id = htons(p->id);
	h->un.echo.sequence = htons(++p->seq);
	memcpy(pkt + sizeof *h, "uksmtop-probe", 13);
	h->checksum = probe_csum(pkt, sizeof pkt);
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = p->addr };
	/* Unreachable (no ARP answer yet) is simply "not yet". */
	(void)sendto(p->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to);
}

/* An echo reply from our target to us? Any of our sequence numbers counts:
 * a reply late for its own attempt still says the clone is up. */
static int probe_icmp_match(const struct probe *p, const unsigned char *buf, size_t n,
			    const struct sockaddr_in *from)
{
	if (from->sin_addr.s_addr != p->addr.s_addr)
		return 0;
	if (p->raw) {
		if (n < sizeof(struct iphdr))
			return 0;
		size_t ihl = (size_t)(((const struct iphdr *)buf)->ihl) * 4;
		if (ihl < sizeof(struct iphdr) || n < ihl + sizeof(struct icmphdr))
			return 0;
		buf += ihl;
		n -= ihl;
	}
	if (n < sizeof(struct icmphdr))
		return 0;
	const struct icmphdr *h = (const struct icmphdr *)buf;
	if (h->type != ICMP_ECHOREPLY)
		return 0;
	/* A datagram socket gets only its own replies; the kernel chose the id. */
	return !p->raw || ntohs(h->un.echo.id) == p->id;
}

static int probe_ping_once(struct probe *p, double wait_s)
{
	probe_icmp_send(p);
	double deadline = util_now_mono() + wait_s;
	for (;;) {
		unsigned char buf[1500];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		ssize_t n;
		while ((n = recvfrom(p->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl)) > 0) {
			if (probe_icmp_match(p, buf, (size_t)n, &from))
				return 1;
			fl = sizeof from;
		}
		double left = deadline - util_now_mono();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		int ms = (int)(left * 1000.0) + 1;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return 0;
	}
}

/* ---- tcp ---- */

static int probe_tcp_once(struct probe *p, double wait_s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p->port), .sin_addr = p->addr };
	int ready = 0;
	if (connect(fd, (struct sockaddr *)&to, sizeof to) == 0) {
		ready = 1;
	} else if (errno == EINPROGRESS) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int soerr = 0;
		socklen_t sl = sizeof soerr;
		if (poll(&pfd, 1, (int)(wait_s * 1000.0) + 1) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			ready = 1;
	}
	close(fd);
	return ready;
}

/* ---- console ---- */

/* Search text in tail + the new bytes; keep the last strlen(text)-1 bytes. */
static int probe_console_scan(struct probe *p, const char *buf, size_t n)
{
	size_t tl = strlen(p->text);
	char joined[PROBE_TEXT_MAX + 4096];
	memcpy(joined, p->tail, p->tail_len);
	memcpy(joined + p->tail_len, buf, n);
	size_t len = p->tail_len + n;
	if (memmem(joined, len, p->text, tl))
		return 1;
	size_t keep = tl > 1 ? tl - 1 : 0;
	if (keep > len)
		keep = len;
	memcpy(p->tail, joined + len - keep, keep);
	p->tail_len = keep;
	return 0;
}

static int probe_console_once(struct probe *p)
{
	if (!p->path[0] || !p->text[0])
		return 0;
	int fd = open(p->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* not created yet */
	struct stat st;
	/* A log truncated by a restart is read again from its start. */
	if (fstat(fd, &st) == 0 && st.st_size < p->pos) {
		p->pos = 0;
		p->tail_len = 0;
	}
	int found = 0;
	char buf[4096];
	ssize_t n;
	while (!found && (n = pread(fd, buf, sizeof buf, p->pos)) > 0) {
		p->pos += n;
		found = probe_console_scan(p, buf, (size_t)n);
	}
	close(fd);
	return found;
}

int probe_once(struct probe *p, double wait_s)
{
	switch (p->kind) {
	case READY_PING:
		return p->have_addr ? probe_ping_once(p, wait_s) : 0;
	case READY_TCP:
		return p->have_addr ? probe_tcp_once(p, wait_s) : 0;
	case READY_CONSOLE:
		return probe_console_once(p);
	default:
		return 0;
	}
}

void probe_describe(const struct probe *p, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN] = "?";
	if (p->have_addr)
		inet_ntop(AF_INET, &p->addr, a, sizeof a);
	switch (p->kind) {
	case READY_PING:
		snprintf(buf, len, "ping %s", p->have_addr ? a : "(address unknown)");
		break;
	case READY_TCP:
		snprintf(buf, len, "tcp %s:%d", p->have_addr ? a : "(address unknown)", p->port);
		break;
	case READY_CONSOLE:
		snprintf(buf, len, "console '%s' in %s", p->text, p->path[0] ? p->path : "(no log)");
		break;
	default:
		snprintf(buf, len, "state");
		break;
	}
}
