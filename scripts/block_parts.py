#!/usr/bin/env python3
"""Per-part accuracy of the long-division blocks in `reckon eval` reports.

    python3 scripts/block_parts.py DIR/eval/report.json [...]

`reckon eval` names the *first* false part of a failed chain; this checks every table entry
(`divisor*k=product`), every subtraction (`current-multiple=remainder`) and every choice of
multiple (the largest that fits the written current number) of the failed chains, each on its
own written operands, so that an early error does not hide what the model can do later in the
block. Chains are read as written (a checkpoint trained with reversed numbers writes its chains
back in this order).
"""
import json
import re
import sys


def check(path):
    r = json.load(open(path))
    tab = [0, 0]; sub = [0, 0]; cho = [0, 0]
    for f in r['failures']:
        for block in re.findall(r'\{([^{}]*)\}', f['chain']):
            if ':' not in block or '|' not in block: continue
            head, rest = block.split(':', 1)
            table, lines = rest.split('|', 1)
            # The head is `a/b`, or `a/b=A/B` when b has decimals (B is whole): the last one divides.
            m = re.fullmatch(r'.*/(\d+)', head.split('=')[-1])
            if not m: continue
            div = int(m[1])
            for e in table.split(','):
                m = re.fullmatch(r'(\d+)\*(\d+)=(\d+)', e)
                if m: tab[1] += 1; tab[0] += int(m[1]) * int(m[2]) == int(m[3])
            for line in lines.split('~')[0].split(';'):
                m = re.fullmatch(r'(\d+)-(\d+)=(\d+),.*', line)
                if not m: continue
                x, y, z = int(m[1]), int(m[2]), int(m[3])
                sub[1] += 1; sub[0] += x - y == z
                cho[1] += 1; cho[0] += y == div * (x // div)
    n = len(r['failures'])
    pct = lambda a: f"{100*a[0]/max(1,a[1]):.1f}% of {a[1]}"
    print(f"{path}: {n} failed chains; table entries right {pct(tab)}; subtractions right {pct(sub)}; multiple chosen right {pct(cho)}")


if __name__ == '__main__':
    for p in sys.argv[1:]:
        check(p)
