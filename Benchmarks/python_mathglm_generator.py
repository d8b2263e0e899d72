#!/usr/bin/env python3
"""A straightforward Python generator of MathGLM-style step chains, with exact fractions.

The peer for `GeneratorBenchmark`: the same kind of work (sample a 1-11 operation expression of
mostly 4-digit operands with brackets, expand it one operation at a time in precedence order,
print every step), written the plain way. It is a speed reference only, not Reckon's generator.

    python3 Benchmarks/python_mathglm_generator.py [examples] [runs]

Prints the median examples/s on one core.
"""
import random
import statistics
import sys
import time
from fractions import Fraction

OPS = "+-*/"
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def operand(rng):
    digits = rng.choices([1, 2, 3, 4], weights=[1, 1, 2, 8])[0]
    value = rng.randint(10 ** (digits - 1), 10 ** digits - 1)
    if rng.random() < 0.1:
        value = Fraction(value * 10 ** 3 + rng.randint(1, 999), 10 ** 3)
    if rng.random() < 0.1:
        value = -value
    return ["num", Fraction(value)]


def sample(rng, n, depth=0):
    """A flat run of n operations; some operands are bracketed sub-runs."""
    if n == 0:
        return operand(rng)
    here = n
    if depth < 3 and n >= 2 and rng.random() < 0.6:
        here = rng.randint(1, n - 1)
    inner = [0] * (here + 1)
    for _ in range(n - here):
        inner[rng.randrange(here + 1)] += 1
    items = [["group", sample(rng, m, depth + 1)] if m else operand(rng) for m in inner]
    ops = [rng.choice(OPS) for _ in range(here)]
    # precedence climbing
    pos = [0]

    def climb(min_prec):
        lhs = items[pos[0]]
        while pos[0] < len(ops) and PRECEDENCE[ops[pos[0]]] >= min_prec:
            op = ops[pos[0]]
            pos[0] += 1
            rhs = climb(PRECEDENCE[op] + 1)
            lhs = ["bin", op, lhs, rhs]
        return lhs

    return climb(1)


def fmt(value):
    if value.denominator == 1:
        return str(value.numerator)
    # 20 significant digits, like Reckon's policy, via exact integer arithmetic
    sign = "-" if value < 0 else ""
    value = abs(value)
    scaled = value.numerator * 10 ** 20 // value.denominator
    text = str(scaled).rjust(21, "0")
    return (sign + text[:-20] + "." + text[-20:]).rstrip("0")


def show(node):
    kind = node[0]
    if kind == "num":
        return fmt(node[1])
    if kind == "group":
        return "(" + show(node[1]) + ")"
    return show(node[2]) + node[1] + show(node[3])


def step(node):
    """Performs the next operation (brackets first, then * /, then + -); False when done."""
    kind = node[0]
    if kind == "num":
        return False
    if kind == "group":
        if not step(node[1]):
            return False
        if node[1][0] == "num":
            node[:] = node[1]
        return True
    _, op, a, b = node
    for child in (a, b):
        if child[0] == "group" and step(child):
            return True
    if a[0] == "num" and b[0] == "num":
        x, y = a[1], b[1]
        if op == "/" and y == 0:
            raise ZeroDivisionError
        node[:] = ["num", {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0}[op]]
        return True
    if PRECEDENCE[op] == 1:
        for child in (a, b):
            if child[0] == "bin" and PRECEDENCE[child[1]] == 2 and step(child):
                return True
    return step(a) or step(b)


def chain(rng):
    while True:
        tree = sample(rng, rng.randint(1, 11))
        parts = [show(tree)]
        try:
            while step(tree):
                parts.append(show(tree))
        except ZeroDivisionError:
            continue
        return "=".join(parts)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rates = []
    for run in range(runs):
        rng = random.Random(run)
        start = time.perf_counter()
        total = 0
        for _ in range(count):
            total += len(chain(rng))
        rates.append(count / (time.perf_counter() - start))
    print(f"python: {statistics.median(rates):.0f} examples/s on 1 core "
          f"({total / count:.0f} bytes/example, median of {runs} runs)")


if __name__ == "__main__":
    main()
