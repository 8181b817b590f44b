"""Reference scores from pycocoevalcap (the PyPI package) for tests/eval/*_slow.cpp and bench/eval.cpp.

usage: pycocoevalcap_scores.py INPUT.json [--meteor] [--repeat N]
INPUT.json: {"hyps": [...], "refs": [...]} (already tokenized strings, one reference per hypothesis).
Prints JSON: bleu_1..bleu_4, rouge_l, cider_d, their per-study arrays, seconds and cpu_seconds (the fastest
of N runs of BLEU + ROUGE-L + CIDEr-D, wall clock and process CPU time), and with --meteor the jar's corpus score and per-segment scores.
"""
import json
import sys
import time

from pycocoevalcap.bleu.bleu import Bleu
from pycocoevalcap.cider.cider import Cider
from pycocoevalcap.rouge.rouge import Rouge


def main():
    data = json.load(open(sys.argv[1]))
    repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 1
    gts = {i: [r] for i, r in enumerate(data["refs"])}
    res = {i: [h] for i, h in enumerate(data["hyps"])}
    best = best_cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        bleu, bleu_per = Bleu(4).compute_score(gts, res, verbose=0)
        rouge, rouge_per = Rouge().compute_score(gts, res)
        cider, cider_per = Cider().compute_score(gts, res)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    out = {"bleu_%d" % (k + 1): bleu[k] for k in range(4)}
    out.update(rouge_l=float(rouge), cider_d=float(cider), seconds=best, cpu_seconds=best_cpu,
               sentence_bleu_4=[float(x) for x in bleu_per[3]],
               rouge_l_per_study=[float(x) for x in rouge_per], cider_d_per_study=[float(x) for x in cider_per])
    if "--meteor" in sys.argv:
        from pycocoevalcap.meteor.meteor import Meteor
        start = time.perf_counter()
        meteor, meteor_per = Meteor().compute_score(gts, res)
        out.update(meteor=float(meteor), meteor_per_study=[float(x) for x in meteor_per],
                   meteor_seconds=time.perf_counter() - start)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
