#!/usr/bin/env python3
"""How well a checkpoint adds and subtracts long numbers asked whole and in pieces.

Draws random sums and differences whose longer term has 6 to 12 digits (`--shortest`,
`--longest`), asks the model each one whole and as `PiecewiseQuestion` asks it inside
`--check-subtractions` (a sum in pieces of three digits with their carries, a difference digit
by digit with its borrows), through `reckon solve --input`, and prints how many it got right
each way. The pieces are cut and put back together here as the solver does it
(Sources/ReckonEvaluation/PiecewiseQuestion.swift); Python's integers only grade.

    python3 scripts/piecewise-probe.py [--reckon .build/release/reckon] [--count 400] [--seed 1]
        [--shortest 6] [--longest 12] [--sum-width 3] [--difference-width 1]
"""
import argparse, json, os, random, subprocess, tempfile

SUM_WIDTH, DIFFERENCE_WIDTH = 3, 1


def short(digits):
    return digits.lstrip("0") or "0"


def pieces(x, y, width):
    """Aligned pieces of x's and y's digits, the units' piece first."""
    y = y.zfill(len(x))
    return [(x[max(0, e - width):e], y[max(0, e - width):e]) for e in range(len(x), 0, -width)]


def sum_questions(x, y):
    out = []
    for px, py in pieces(x, y, SUM_WIDTH):
        px, py = short(px), short(py)
        if py == "0" or px == "0":
            out += [None, (px if py == "0" else py) + "+1"]
        else:
            out += [f"{px}+{py}", f"{px}+{py}+1"]
    return out


def sum_answer(x, y, answers):
    digits, carry, ps = "", False, pieces(x, y, SUM_WIDTH)
    for k, (px, py) in enumerate(ps):
        px, py = short(px), short(py)
        copied = px if py == "0" else py if px == "0" else None
        result = answers[2 * k + 1] if carry else (copied or answers[2 * k])
        if not result or not result.isdigit():
            return None
        if k < len(ps) - 1:
            carry = len(result) > SUM_WIDTH
            if carry:
                if len(result) != SUM_WIDTH + 1 or result[0] != "1":
                    return None
                result = result[1:]
            result = result.zfill(SUM_WIDTH)
        digits = result + digits
    return short(digits)


def difference_plan(x, y):
    """Per piece: its question (None: copied) and the copied text."""
    plan, borrow_in = [], False
    for px, py in pieces(x, y, DIFFERENCE_WIDTH):
        out = px < py or (px == py and borrow_in)
        minuend = "1" + px if out else short(px)
        if short(py) == "0":
            plan.append((f"{minuend}-1" if borrow_in else None, short(px)))
        else:
            plan.append((f"{minuend}-{short(py)}" + ("-1" if borrow_in else ""), None))
        borrow_in = out
    return plan


def difference_answer(plan, answers):
    digits = ""
    for k, ((question, copied), result) in enumerate(zip(plan, answers)):
        result = result if question else copied
        if not result or not result.isdigit():
            return None
        if k < len(plan) - 1:
            if len(result) > DIFFERENCE_WIDTH:
                return None
            result = result.zfill(DIFFERENCE_WIDTH)
        digits = result + digits
    return short(digits)


def ask(reckon, questions):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "q.txt"), os.path.join(d, "a.jsonl")
        with open(src, "w") as f:
            f.write("".join(q + "\n" for q in questions))
        subprocess.run([reckon, "solve", "--input", src, "--output", dst], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(dst) as f:
            return [json.loads(line).get("answer") for line in f]


def main():
    global SUM_WIDTH, DIFFERENCE_WIDTH
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reckon", default=".build/release/reckon")
    p.add_argument("--count", type=int, default=400)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--shortest", type=int, default=6, help="fewest digits of the longer term")
    p.add_argument("--longest", type=int, default=12, help="most digits of the longer term")
    p.add_argument("--sum-width", type=int, default=SUM_WIDTH, help="digits per piece of a sum (the solver's: 3)")
    p.add_argument("--difference-width", type=int, default=DIFFERENCE_WIDTH, help="digits per piece of a difference (the solver's: 1)")
    args = p.parse_args()
    SUM_WIDTH, DIFFERENCE_WIDTH = args.sum_width, args.difference_width
    rng = random.Random(args.seed)

    def term(n):
        return rng.randint(10 ** (n - 1) if n > 1 else 0, 10 ** n - 1)

    pairs = []
    for _ in range(args.count):
        longer = rng.randint(args.shortest, args.longest)
        a, b = term(longer), term(rng.randint(1, longer))
        pairs.append((max(a, b), min(a, b)))

    sums = [(str(a), str(b)) for a, b in pairs]
    sum_pieces = [sum_questions(x, y) for x, y in sums]
    plans = [difference_plan(x, y) for x, y in sums]
    asked = [f"{x}+{y}" for x, y in sums] + [f"{x}-{y}" for x, y in sums] \
        + [q for qs in sum_pieces for q in qs if q] + [q for plan in plans for q, _ in plan if q]
    answers = iter(ask(args.reckon, asked))
    whole_sums = [next(answers) for _ in sums]
    whole_differences = [next(answers) for _ in sums]
    piece_sums = [sum_answer(x, y, [next(answers) if q else None for q in qs]) for (x, y), qs in zip(sums, sum_pieces)]
    piece_differences = [difference_answer(plan, [next(answers) if q else None for q, _ in plan]) for plan in plans]

    n = len(pairs)
    def right(results, truth):
        return sum(r == str(t) for r, t in zip(results, truth))
    print(f"{n} sums, longer term {args.shortest}-{args.longest} digits: whole {right(whole_sums, [a + b for a, b in pairs])}, "
          f"in pieces of {SUM_WIDTH} {right(piece_sums, [a + b for a, b in pairs])}")
    print(f"{n} differences: whole {right(whole_differences, [a - b for a, b in pairs])}, "
          f"in pieces of {DIFFERENCE_WIDTH} {right(piece_differences, [a - b for a, b in pairs])}")


if __name__ == "__main__":
    main()
