#!/usr/bin/env python3
"""report.py - turn tests/bench/bench.sh's raw figures into the benchmark's table, slope and targets (markdown)."""
import shlex
import statistics
import sys

PSS_DEFAULT_S = 5.0   # uksmtop's default --pss-interval


def parse(path):
    recs = []
    for line in open(path):
        toks = shlex.split(line.strip())
        if not toks:
            continue
        rec = {"_tag": toks[0] if "=" not in toks[0] else ""}
        for t in toks:
            if "=" in t:
                k, v = t.split("=", 1)
                rec[k] = v
        recs.append(rec)
    return recs


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fit(points):
    """Least squares y = a + b x; returns (b, a, r2) or None."""
    pts = [(x, y) for x, y in points if x is not None and y is not None]
    if len(pts) < 2 or len({x for x, _ in pts}) < 2:
        return None
    n = len(pts)
    mx = sum(x for x, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    b = sxy / sxx
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for _, y in pts)
    ss_res = sum((y - a - b * x) ** 2 for x, y in pts)
    return b, a, (1 - ss_res / ss_tot) if ss_tot else 1.0


def fmt(v, spec="{:.0f}", none="n/a"):
    return none if v is None else spec.format(v)


def main():
    recs = parse(sys.argv[1])
    params = next((r for r in recs if r["_tag"] == "params"), {})
    n, n0 = int(params.get("n", 110)), int(params.get("n0", 10))
    span = n - n0
    machine = next((r for r in recs if r["_tag"] == "machine"), {})

    steps = []
    for r in recs:
        s = r.get("step")
        if s and r.get("kind") == "seen" and s not in steps:
            steps.append(s)

    def runs(step, kind):
        return [r for r in recs if r.get("step") == step and r.get("kind") == kind and r.get("status") == "0"]

    def per_rep(step, kind, tag=""):
        """{rep: (long - short) / span} in microseconds per sample or frame."""
        out = {}
        shorts = {r["rep"]: num(r["cpu_us"]) for r in runs(step, kind + "_short" + tag)}
        for r in runs(step, kind + "_long" + tag):
            if r["rep"] in shorts:
                out[r["rep"]] = (num(r["cpu_us"]) - shorts[r["rep"]]) / span
        return out

    rows = []
    for s in steps:
        base = s.split("+")[0]
        tag = "_" + s.split("+")[1] if "+" in s else ""
        seen = next(r for r in recs if r.get("step") == s and r.get("kind") == "seen")
        nop = per_rep(base, "uk_nopss", tag)
        top = per_rep(base, "top", tag)
        row = {
            "step": s, "containers": int(base.split(":")[0]), "guests": int(base.split(":")[1]),
            "running": int(seen["running"]), "mine": int(seen["mine"]), "procs": int(seen["procs"]),
            "host_procs": int(seen["host_procs"]),
            "nopss": med(nop.values()), "top": med(top.values()),
            "ratio": med([nop[k] / top[k] for k in nop if k in top and top[k]]),
        }
        if not tag:
            pss = per_rep(base, "uk_pss")
            row["pss"] = med(pss.values())
            row["pass"] = med([pss[k] - nop[k] for k in pss if k in nop])
            uks = [r for k in ("uk_nopss_short", "uk_nopss_long", "uk_pss_short", "uk_pss_long")
                   for r in runs(base, k)]
            row["rss"] = max((num(r["maxrss_kb"]) for r in uks), default=None)
            # The first sample as by default: PSS on its own thread (the runs without a PSS pass per sample).
            row["startup"] = med(num(r["first_line_ms"]) for r in runs(base, "uk_nopss_short")
                                 + runs(base, "uk_nopss_long"))
            row["startup_pss0"] = med(num(r["first_line_ms"]) for r in runs(base, "uk_pss_short")
                                      + runs(base, "uk_pss_long"))
            row["virsh_rss"] = med(num(r["maxrss_kb"]) for r in runs(base, "virsh"))
            bef = per_rep(base, "before_nopss")
            if bef:
                row["before"] = med(bef.values())
                bruns = runs(base, "before_nopss_short") + runs(base, "before_nopss_long")
                row["before_rss"] = max((num(r["maxrss_kb"]) for r in bruns), default=None)
                row["before_startup"] = med(num(r["first_line_ms"]) for r in bruns)
                row["after_startup"] = row["startup"]
            setup = next((r for r in recs if r.get("step") == base and r.get("kind") == "setup"), {})
            row["setup_s"] = num(setup.get("seconds"))
            v = next((r for r in recs if r.get("step") == base and r.get("kind") == "view"), None)
            if v and "frames" in v:
                row["frame_us"] = num(v["frames_main_ns"]) / 1000 / num(v["frames"])
                idle_s = num(v["idle_s"])
                row["idle_main_pct"] = num(v["idle_main_ns"]) / (idle_s * 1e9) * 100
                row["idle_proc_pct"] = num(v["idle_proc_ticks"]) / num(v["hz"]) / idle_s * 100
                for what in ("idle", "samples"):
                    for k in ("keys", "opens", "proc_sys_opens", "writes"):
                        row[f"{what}_{k}"] = int(v.get(f"{what}_{k}", -1))
        rows.append(row)

    main_rows = [r for r in rows if "+" not in r["step"]]
    p = print
    p("## uksmtop benchmark (issue 6)\n")
    p(f"Machine: {machine.get('nproc', '?')} CPUs ({machine.get('cpu', '?')}), kernel {machine.get('kernel', '?')}, "
      f"{int(num(machine.get('mem_kb', 0)) / 1024)} MiB RAM; {machine.get('top', '')}, LXC {machine.get('lxc', '?')}, "
      f"libvirt {machine.get('libvirt', '?')}; {machine.get('uksmtop', '')}.")
    p(f"Each figure is the median of {params.get('reps', '?')} repetitions; CPU per sample (frame) = "
      f"(CPU of a {n}-sample run − CPU of a {n0}-sample run) / {span}, user + sys from getrusage, at -d {params.get('delay')}.\n")
    p("| containers:guests | running instances (procs) | µs per sample, no PSS | µs per sample, PSS every sample "
      "| PSS pass µs | µs per top frame | ratio | peak RSS KiB | virsh list RSS KiB | first sample ms |")
    p("|---|---|---|---|---|---|---|---|---|---|")
    for r in main_rows:
        p(f"| {r['step']} | {r['running']} ({r['procs']}) | {fmt(r['nopss'])} | {fmt(r.get('pss'))} | {fmt(r.get('pass'))} "
          f"| {fmt(r['top'])} | {fmt(r['ratio'], '{:.2f}')} | {fmt(r.get('rss'))} | {fmt(r.get('virsh_rss'))} "
          f"| {fmt(r.get('startup'), '{:.1f}')} |")
    p("")
    p("The view (tmux, 120×40, -d 3600 so no sample arrives; drawing thread = main thread):\n")
    p("| containers:guests | CPU per redrawn frame µs | idle CPU, drawing thread | idle CPU, whole process "
      "| opens by the drawing thread (/proc, /sys among them) in redraws without a new sample "
      "| the same while new samples are drawn |")
    p("|---|---|---|---|---|---|")
    for r in main_rows:
        if "frame_us" not in r:
            p(f"| {r['step']} | n/a | n/a | n/a | n/a | n/a |")
            continue
        p(f"| {r['step']} | {r['frame_us']:.0f} | {r['idle_main_pct']:.3f} % | {r['idle_proc_pct']:.2f} % "
          f"| {r['idle_opens']} ({r['idle_proc_sys_opens']}) in {r['idle_keys']} redraws "
          f"| {r['samples_opens']} ({r['samples_proc_sys_opens']}) in {r['samples_keys']} samples |")
    p("")

    if any("before" in r for r in main_rows):
        p("Before and after, measured alternately in the same repetitions (no PSS pass per sample):\n")
        p("| containers:guests | µs per sample before | after | change | peak RSS KiB before | after "
          "| startup ms before | after |")
        p("|---|---|---|---|---|---|---|---|")
        for r in main_rows:
            if "before" not in r:
                continue
            ch = (r["nopss"] - r["before"]) / r["before"] * 100 if r["before"] else None
            p(f"| {r['step']} | {fmt(r['before'])} | {fmt(r['nopss'])} | {fmt(ch, '{:+.0f} %')} "
              f"| {fmt(r.get('before_rss'))} | {fmt(r.get('rss'))} | {fmt(r.get('before_startup'), '{:.1f}')} "
              f"| {fmt(r.get('after_startup'), '{:.1f}')} |")
        p("")

    f_all = fit([(r["running"], r["nopss"]) for r in main_rows])
    lxc_rows = [r for r in main_rows if r["guests"] == 0]
    f_lxc = fit([(r["running"], r["nopss"]) for r in lxc_rows])
    kvm_rows = [r for r in main_rows if r["containers"] == max(x["containers"] for x in main_rows)]
    f_kvm = fit([(r["running"], r["nopss"]) for r in kvm_rows])
    if f_all:
        p(f"Slope, all steps: {f_all[0]:.1f} µs per running instance (intercept {f_all[1]:.0f} µs, R² {f_all[2]:.3f}).")
    if f_lxc:
        p(f"Slope over the container steps: {f_lxc[0]:.1f} µs per container (R² {f_lxc[2]:.3f}).")
    if f_kvm and len(kvm_rows) > 1:
        p(f"Slope over the guest steps: {f_kvm[0]:.1f} µs per guest (R² {f_kvm[2]:.3f}).")
    setups = [(r["step"], r["setup_s"]) for r in main_rows if r.get("setup_s") is not None]
    if setups:
        p("Setup time per step (s): " + ", ".join(f"{s} {t:.1f}" for s, t in setups) + ".")
    p("")

    last = main_rows[-1] if main_rows else None
    slp = next((r for r in rows if r["step"].endswith("+sleepers")), None)
    # the sleepers' figures against those taken in turn with them (older runs: the step's own)
    quiet = next((r for r in rows if r["step"].endswith("+quiet")), last)
    if last and slp:
        d_uk = slp["nopss"] - quiet["nopss"] if slp["nopss"] is not None and quiet["nopss"] is not None else None
        d_top = slp["top"] - quiet["top"] if slp["top"] is not None and quiet["top"] is not None else None
        p(f"Host processes outside instances, at {last['step']} (measured in turn): {quiet['host_procs']} → "
          f"{slp['host_procs']} processes; uksmtop {fmt(quiet['nopss'])} → {fmt(slp['nopss'])} µs per sample "
          f"({fmt(d_uk, '{:+.0f}')}), top {fmt(quiet['top'])} → {fmt(slp['top'])} µs per frame ({fmt(d_top, '{:+.0f}')}).\n")

    ksm = next((r for r in rows if r["step"].endswith("+ksmon")), None)
    ksmd = next((r for r in recs if r.get("kind") == "ksmd"), {})
    if last and ksm:
        p(f"With ksmd scanning at {last['step']} (run 1, pages_to_scan {ksmd.get('pages_to_scan', '?')}, "
          f"sleep_millisecs {ksmd.get('sleep_ms', '?')}; pages_sharing {ksmd.get('pages_sharing', '?')} at the end), "
          f"so that every process's ksm_merging_pages is read each sample: uksmtop {fmt(ksm['nopss'])} µs per sample "
          f"(stopped: {fmt(last['nopss'])}), top {fmt(ksm['top'])} µs per frame.\n")

    if not last:
        return
    first = main_rows[0]
    c100 = next((r for r in main_rows if r["containers"] == 100 and r["guests"] == 0), None)
    p(f"### Targets at {last['step']}\n")

    def line(ok, text):
        p(f"- {'met' if ok else 'MISSED'}: {text}")

    if last["nopss"] is not None:
        line(last["nopss"] <= 3000, f"sample without PSS ≤ 3 ms CPU: {last['nopss'] / 1000:.2f} ms")
    if ksm and ksm["nopss"] is not None:
        # Not one of the targets (its steps run with KSM stopped), so no verdict: the figure.
        p(f"- beyond the targets, with ksmd scanning: a sample without PSS costs {ksm['nopss'] / 1000:.2f} ms, "
          f"{'within' if ksm['nopss'] <= 3000 else 'over'} 3 ms")
    if last["ratio"] is not None:
        line(last["ratio"] <= 0.5, f"≤ half a top -b frame: ratio {last['ratio']:.2f} "
             f"({fmt(last['nopss'])} / {fmt(last['top'])} µs)")
    if last.get("pass") is not None:
        pct = last["pass"] / (PSS_DEFAULT_S * 1e6) * 100
        line(pct <= 5, f"PSS pass at the default {PSS_DEFAULT_S:g} s cadence ≤ 5 % of a core: "
             f"{last['pass'] / 1000:.1f} ms per pass = {pct:.2f} %")
    if f_all:
        line(f_all[2] >= 0.95, f"linear in instances: R² {f_all[2]:.3f}, {f_all[0]:.1f} µs per instance")
    if slp and slp["nopss"] is not None and quiet["nopss"]:
        grow = (slp["nopss"] - quiet["nopss"]) / quiet["nopss"] * 100
        line(grow <= 5, f"not growing with host processes: {grow:+.1f} % with "
             f"{slp['host_procs'] - quiet['host_procs']} more processes outside instances")
    if last.get("rss") and last.get("virsh_rss"):
        line(last["rss"] <= 1.25 * last["virsh_rss"],
             f"peak RSS ≤ 1.25 × virsh list's: {last['rss']:.0f} KiB vs {last['virsh_rss']:.0f} KiB "
             f"({last['rss'] / last['virsh_rss']:.2f} ×)")
    if c100 and c100.get("rss") and first.get("rss"):
        g = c100["rss"] - first["rss"]
        line(g < 2048, f"RSS growth from {first['step']} to {c100['step']} < 2 MiB: {g:+.0f} KiB")
    if last.get("startup") is not None:
        line(last["startup"] <= 100, f"first sample within 100 ms: {last['startup']:.1f} ms "
             f"({fmt(last.get('startup_pss0'), '{:.1f}')} ms with --pss-interval 0, whose first sample "
             f"waits for a PSS pass)")
    if "idle_main_pct" in last:
        line(last["idle_proc_pct"] < 1, f"view idle refresh < 1 % of a core: drawing thread "
             f"{last['idle_main_pct']:.3f} %, whole process {last['idle_proc_pct']:.2f} %")
        worst = max(r.get("idle_proc_sys_opens", 0) for r in main_rows)
        line(worst == 0, f"no /proc or /sys open by the drawing thread in redraws without a new sample, "
             f"at any step: {worst} at most ({last['idle_writes']} screen writes for {last['idle_keys']} keys "
             f"at {last['step']})")


if __name__ == "__main__":
    main()
