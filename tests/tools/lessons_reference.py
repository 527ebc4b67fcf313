#!/usr/bin/env python3
"""lessons_reference.py — team lessons recomputed from docs/statistics.md
alone, and compared with what `shoplab journal lessons --json` says.

Usage: lessons_reference.py SHOPLAB FIXTURE.json

Loads every test of the fixture into a fresh store through the CLI (plan with
typed counts and --creator, one look, close; tests marked "open" stay open),
runs `journal lessons --json`, and checks every number against this script's
own computation to 1e-9 (absolute below 1, relative above).  Python's
standard library only: none of ShopLab's code, no numpy or scipy.  The
t quantile comes from the closed-form Student t distribution for whole
degrees of freedom (Abramowitz & Stegun 26.7.3 and 26.7.4) and bisection,
not from the incomplete beta the library inverts.
"""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

LEVEL = 0.95
TOLERANCE = 1e-9
STEPS = ["pick", "tag", "read"]
TAGS = ["card-timing", "hook", "proof-moment", "cta", "product", "price", "other"]
METRICS = ["ctr", "ctor"]


# ---- the formulas of docs/statistics.md, "Lessons across creators" ----

def log_lift(before, after):
    """y = ln(pB/pA), v = (1-pA)/xA + (1-pB)/xB, with 1/2 added to every
    cell when any of the four cells is 0."""
    xa, na = before[0], before[1]
    xb, nb = after[0], after[1]
    if 0 in (xa, na - xa, xb, nb - xb):
        xa, na, xb, nb = xa + 0.5, na + 1, xb + 0.5, nb + 1
    pa, pb = xa / na, xb / nb
    return math.log(pb / pa), (1 - pa) / xa + (1 - pb) / xb


def student_t_two_sided(t, df):
    """P(|T| <= t) for whole df (A&S 26.7.3 odd, 26.7.4 even)."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2 == 1:
        total, term = 0.0, 1.0
        if df > 1:
            total = 1.0
            for k in range(1, (df - 3) // 2 + 1):
                term *= (2 * k) / (2 * k + 1) * c2
                total += term
            total *= math.sin(theta) * math.cos(theta)
        return 2 / math.pi * (theta + total)
    total, term = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= (2 * k - 1) / (2 * k) * c2
        total += term
    return math.sin(theta) * total


def t_quantile(df, level):
    lo, hi = 0.0, 1e6
    for _ in range(400):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if student_t_two_sided(mid, df) < level:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def q_at(ys, vs, tau2):
    w = [1 / (v + tau2) for v in vs]
    mu = sum(wi * y for wi, y in zip(w, ys)) / sum(w)
    return sum(wi * (y - mu) ** 2 for wi, y in zip(w, ys)), mu, sum(w)


def paule_mandel(ys, vs):
    """tau2 = 0 when Q(0) <= k-1, else the root of Q(tau2) = k-1, which lies
    below S/(k-1) (S the spread of the y around their plain mean).  Found
    here by Newton steps from 0, kept inside the bracket by bisection
    whenever a step would leave it — not by the library's plain bisection."""
    k = len(ys)
    if q_at(ys, vs, 0)[0] <= k - 1:
        return 0.0
    mean = sum(ys) / k
    lo, hi = 0.0, sum((y - mean) ** 2 for y in ys) / (k - 1)
    tau2 = 0.0
    for _ in range(500):
        q, mu, _ = q_at(ys, vs, tau2)
        if q > k - 1:
            lo = tau2
        else:
            hi = tau2
        w = [1 / (v + tau2) for v in vs]
        dq = -sum(wi * wi * (y - mu) ** 2 for wi, y in zip(w, ys))
        new = tau2 - (q - (k - 1)) / dq if dq < 0 else (lo + hi) / 2
        if not lo < new < hi:
            new = (lo + hi) / 2
        if new == tau2 or hi - lo <= 1e-16 * hi:
            break
        tau2 = new
    return tau2


def relative(y, var, quantile):
    half = quantile * math.sqrt(var)
    return math.expm1(y), math.expm1(y - half), math.expm1(y + half)


def lessons(tests):
    z = statistics.NormalDist().inv_cdf(1 - (1 - LEVEL) / 2)
    groups = {}
    used = skipped = 0
    for t in tests:
        if t.get("open"):
            continue          # not closed: not listed by the store at all
        if "after" not in t:
            skipped += 1
            continue
        used += 1
        key = (STEPS.index(t["step"]), TAGS.index(t["tag"]), METRICS.index(t["metric"]))
        groups.setdefault(key, {}).setdefault(t["creator"], []).append(
            log_lift(t["before"], t["after"]))
    out = []
    for key in sorted(groups):
        by = groups[key]
        creators = []
        for name in sorted(by, key=lambda s: s.encode()):
            w = [1 / v for _, v in by[name]]
            y = sum(wi * yi for wi, (yi, _) in zip(w, by[name])) / sum(w)
            creators.append({"creator": name, "tests": len(by[name]), "log_lift": y,
                             "variance": 1 / sum(w)})
        k = len(creators)
        ys = [c["log_lift"] for c in creators]
        vs = [c["variance"] for c in creators]
        g = {"step": STEPS[key[0]], "tag": TAGS[key[1]], "metric": METRICS[key[2]],
             "tests": sum(c["tests"] for c in creators), "creators": k, "pooled": k > 1}
        if k == 1:
            g.update(log_lift=ys[0], se=math.sqrt(vs[0]), quantile=z, tau2=None, q=None)
            creators[0].update(shrinkage=0.0, pooled_log_lift=ys[0], pooled_variance=vs[0])
        else:
            tau2 = paule_mandel(ys, vs)
            q, mu, sw = q_at(ys, vs, tau2)
            factor = max(1.0, q / (k - 1))
            se = math.sqrt(factor / sw)
            g.update(log_lift=mu, se=se, quantile=t_quantile(k - 1, LEVEL), tau2=tau2,
                     q=q_at(ys, vs, 0)[0])
            for c in creators:
                b = c["variance"] / (c["variance"] + tau2)
                c.update(shrinkage=b, pooled_log_lift=b * mu + (1 - b) * c["log_lift"],
                         pooled_variance=(1 - b) * c["variance"] + b * b * se * se)
        g["lift"], g["low"], g["high"] = relative(g["log_lift"], g["se"] ** 2, g["quantile"])
        for c in creators:
            c["lift"], c["low"], c["high"] = relative(c["log_lift"], c["variance"], z)
            (c["pooled_lift"], c["pooled_low"],
             c["pooled_high"]) = relative(c["pooled_log_lift"], c["pooled_variance"],
                                          g["quantile"])
        g["by_creator"] = creators
        out.append(g)
    return {"level": LEVEL, "tests": used, "skipped": skipped, "groups": out}


# ---- driving the CLI ----

def run(shoplab, db, *args):
    p = subprocess.run([shoplab, *args, "--db", db], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"shoplab {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p.stdout


def load(shoplab, db, tests):
    for i, t in enumerate(tests):
        plan = json.loads(run(
            shoplab, db, "journal", "plan", "--json", "--metric", t["metric"],
            "--step", t["step"], "--tag", t["tag"], "--creator", t["creator"],
            "--change", f"Fixture change {i + 1}", "--hypothesis", "A fixture hypothesis.",
            "--before-trials", str(t["before"][1]), "--before-successes", str(t["before"][0]),
            "--at", "2026-01-01T00:00:00Z"))
        ident = str(plan["id"])
        if "after" in t:
            run(shoplab, db, "journal", "look", ident, "--after-trials", str(t["after"][1]),
                "--after-successes", str(t["after"][0]), "--at", "2026-01-02T00:00:00Z")
        if not t.get("open"):
            run(shoplab, db, "journal", "close", ident, "--outcome", "no-clear-difference",
                "--lesson", "A fixture lesson.", "--at", "2026-01-03T00:00:00Z")


def compare(path, want, got, failures):
    if isinstance(want, dict):
        for k, v in want.items():
            compare(f"{path}.{k}", v, got.get(k, "<missing>"), failures)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            failures.append(f"{path}: {len(want)} items expected, got {got!r}")
            return
        for i, (w, g) in enumerate(zip(want, got)):
            compare(f"{path}[{i}]", w, g, failures)
    elif isinstance(want, float) and not isinstance(want, bool):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            failures.append(f"{path}: {want!r} expected, got {got!r}")
        elif abs(got - want) > TOLERANCE * max(1.0, abs(want)):
            failures.append(f"{path}: {want!r} expected, got {got!r}")
    elif want != got:
        failures.append(f"{path}: {want!r} expected, got {got!r}")


def count_numbers(value):
    if isinstance(value, dict):
        return sum(count_numbers(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_numbers(v) for v in value)
    return 1 if isinstance(value, float) else 0


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    shoplab, fixture = sys.argv[1], sys.argv[2]
    with open(fixture, encoding="utf-8") as f:
        tests = json.load(f)["tests"]
    want = lessons(tests)
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "lessons.db")
        load(shoplab, db, tests)
        got = json.loads(run(shoplab, db, "journal", "lessons", "--json"))
    failures = []
    compare("lessons", want, got, failures)
    for f in failures:
        print("FAIL", f)
    numbers = count_numbers(want)
    print(f"{len(want['groups'])} groups, {want['tests']} tests, {want['skipped']} skipped; "
          f"{numbers} numbers, {'all match' if not failures else str(len(failures)) + ' differ'}"
          f" (tolerance {TOLERANCE:g})")
    for g in want["groups"]:
        print(f"  {g['step']}/{g['tag']}/{g['metric']}: k={g['creators']} "
              f"lift={g['lift']:+.6f} [{g['low']:+.6f}, {g['high']:+.6f}] tau2={g['tau2']}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
