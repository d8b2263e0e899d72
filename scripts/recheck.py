#!/usr/bin/env python3
"""Measure a change to the checks on part of a full eval, against that eval's report.

A full `reckon eval --count 2000 --check-subtractions 5` takes about two hours on 2 cores. A change
to the checks can be measured on fewer questions: every question the full run got wrong (what the
change can fix) and a random sample of those it got right (what it can break).

    python3 scripts/recheck.py pick --report Checkpoints/reckon-mathglm/eval-check5/report.json \\
        --right 300 --seed 64 --out runs/recheck
    reckon eval --input runs/recheck/questions.txt --check-subtractions 5 --threads 2 --out runs/recheck/eval
    python3 scripts/recheck.py compare --report Checkpoints/reckon-mathglm/eval-check5/report.json \\
        --picked runs/recheck

`pick` regenerates the full run's questions (`reckon generate --split test --format direct`, with
the report's recipe, count and seed) and writes `questions.txt` (the wrong ones, by exact match,
then the sampled right ones) and `picked.json`. `compare` counts, per grading rule, the answers the
new run fixed and broke (both graded by `reckon eval`), with the two-sided sign test's p, and
estimates the full run's accuracy by scaling the breaks in the sample to all right questions.
"""
import argparse, json, math, os, random, subprocess, tempfile

RULES = ["exact", "mathglm"]


def load(path):
    with open(path) as f:
        return json.load(f)


def grades(report):
    """Question text -> {rule: right} for the questions the report lists (all others are right)."""
    return {f["question"]: {rule: f["grade"][rule] for rule in RULES} for f in report["failures"]}


def questions_of(report, reckon):
    run = report["run"]
    source = run["source"]
    if not source.startswith("recipe:"):
        raise SystemExit(f"the report's questions came from {source!r}; pick needs a recipe's")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "questions.jsonl")
        subprocess.run([reckon, "generate", "--recipe", source[len("recipe:"):], "--split", "test",
                        "--count", str(run["count"]), "--seed", str(run["seed"]), "--format", "direct",
                        "--jsonl", "--threads", "1", "--out", out], check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            return [json.loads(line)["question"] for line in f]


def pick(args):
    report = load(args.report)
    questions = questions_of(report, args.reckon)
    listed = grades(report)
    wrong = [q for q in questions if q in listed and not listed[q]["exact"]]
    right = [q for q in questions if q not in set(wrong)]
    rng, wrong_total = random.Random(args.seed), len(wrong)
    if args.wrong is not None:
        wrong = sorted(rng.sample(wrong, min(args.wrong, len(wrong))), key=questions.index)
    sample = sorted(rng.sample(right, min(args.right, len(right))), key=questions.index)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "questions.txt"), "w") as f:
        f.write("".join(q + "\n" for q in wrong + sample))
    with open(os.path.join(args.out, "picked.json"), "w") as f:
        json.dump({"report": args.report, "total": len(questions), "wrong": wrong, "wrongTotal": wrong_total,
                   "right": sample, "rightTotal": len(right)}, f, indent=1)
    print(f"{len(wrong)} of {wrong_total} wrong and {len(sample)} of {len(right)} right questions -> {args.out}/questions.txt")


def sign_test(fixed, broken):
    n = fixed + broken
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(fixed, broken) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def compare(args):
    report = load(args.report)
    picked = load(os.path.join(args.picked, "picked.json"))
    new_report = load(args.new or os.path.join(args.picked, "eval", "report.json"))
    before, after = grades(report), grades(new_report)
    right_all = {rule: True for rule in RULES}
    total = picked["total"]
    for rule in RULES:
        counts = {}
        for part in ["wrong", "right"]:
            fixed = broken = 0
            for q in picked[part]:
                was, now = before.get(q, right_all)[rule], after.get(q, right_all)[rule]
                fixed += now and not was
                broken += was and not now
            counts[part] = (fixed, broken)
        fixed = counts["wrong"][0] + counts["right"][0]
        broken = counts["wrong"][1] + counts["right"][1]
        old_right = total - sum(1 for q in before if not before[q][rule])
        estimate = old_right + sum((counts[part][0] - counts[part][1]) * picked[part + "Total"] / max(1, len(picked[part]))
                                   for part in ["wrong", "right"])
        print(f"{rule}: on {len(picked['wrong'])} of the {picked['wrongTotal']} wrong, {counts['wrong'][0]} fixed and {counts['wrong'][1]} broken; "
              f"on {len(picked['right'])} of the {picked['rightTotal']} right, {counts['right'][0]} fixed and "
              f"{counts['right'][1]} broken (p = {sign_test(fixed, broken):.2g}); "
              f"full run {100 * old_right / total:.2f}% -> about {100 * estimate / total:.2f}%")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("pick", help="write the wrong questions and a sample of the right ones")
    a.add_argument("--report", required=True, help="the full run's report.json")
    a.add_argument("--right", type=int, default=300, help="right questions to sample")
    a.add_argument("--wrong", type=int, help="wrong questions to sample (default: all; fewer for a trial)")
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--out", required=True)
    a.add_argument("--reckon", default=".build/release/reckon")
    b = sub.add_parser("compare", help="fixed and broken against the full run, and an estimate of it")
    b.add_argument("--report", required=True, help="the full run's report.json")
    b.add_argument("--picked", required=True, help="pick's --out")
    b.add_argument("--new", help="the new run's report.json (default: PICKED/eval/report.json)")
    args = p.parse_args()
    {"pick": pick, "compare": compare}[args.command](args)


if __name__ == "__main__":
    main()
