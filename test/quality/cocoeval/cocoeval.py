"""Runs pycocotools' COCOeval (bbox) on every case in cases/ and writes its numbers to expected/<name>.json.

Regenerate with `npx tsx test/quality/cocoeval/generate.ts && python3 test/quality/cocoeval/cocoeval.py`.
"""
import contextlib
import io
import json
import sys
from importlib.metadata import version
from pathlib import Path

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

HERE = Path(__file__).resolve().parent

# COCOeval.stats order, as _summarizeDets builds it: (ap, iouThr, areaRng, maxDets).
SUMMARY = [
    (1, None, 'all', 100), (1, 0.5, 'all', 100), (1, 0.75, 'all', 100),
    (1, None, 'small', 100), (1, None, 'medium', 100), (1, None, 'large', 100),
    (0, None, 'all', 1), (0, None, 'all', 10), (0, None, 'all', 100),
    (0, None, 'small', 100), (0, None, 'medium', 100), (0, None, 'large', 100),
]


def ground_truth(gt):
    coco = COCO()
    coco.dataset = gt
    coco.createIndex()
    return coco


def results(coco_gt, dt):
    """loadRes refuses an empty list (it reads anns[0]), so an empty results set is built as loadRes would leave it."""
    if dt:
        return coco_gt.loadRes(dt)
    coco = COCO()
    coco.dataset = {'images': list(coco_gt.dataset['images']), 'categories': list(coco_gt.dataset['categories']), 'annotations': []}
    coco.createIndex()
    return coco


def summarize_one(e, ap, iou_thr, area_rng, max_dets, k=None):
    """COCOeval._summarize, optionally on the slice of category index k alone."""
    p = e.params
    aind = [i for i, a in enumerate(p.areaRngLbl) if a == area_rng]
    mind = [i for i, m in enumerate(p.maxDets) if m == max_dets]
    s = e.eval['precision'] if ap == 1 else e.eval['recall']
    if iou_thr is not None:
        s = s[np.where(iou_thr == p.iouThrs)[0]]
    kind = slice(None) if k is None else [k]
    s = s[:, :, kind, aind, mind] if ap == 1 else s[:, kind, aind, mind]
    return -1.0 if len(s[s > -1]) == 0 else float(np.mean(s[s > -1]))


def evaluate(case):
    with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress
        coco_gt = ground_truth(case['gt'])
        e = COCOeval(coco_gt, results(coco_gt, case['dt']), 'bbox')
        e.evaluate()
        e.accumulate()
        e.summarize()
    stats = [summarize_one(e, *row) for row in SUMMARY]
    assert stats == [float(x) for x in e.stats], (case['name'], stats, e.stats)
    per_class = {str(cat): [summarize_one(e, *row, k=k) for row in SUMMARY] for k, cat in enumerate(e.params.catIds)}
    return stats, per_class


def write_expected(name, stats, per_class):
    lines = [f'  "pycocotools": {json.dumps(version("pycocotools"))},', f'  "numpy": {json.dumps(np.__version__)},', f'  "stats": {json.dumps(stats)},', '  "perClass": {']
    lines += [f'    {json.dumps(cat)}: {json.dumps(values)}' + (',' if i < len(per_class) - 1 else '') for i, (cat, values) in enumerate(per_class.items())]
    (HERE / 'expected' / f'{name}.json').write_text('{\n' + '\n'.join(lines) + '\n  }\n}\n')


def main():
    (HERE / 'expected').mkdir(exist_ok=True)
    for old in (HERE / 'expected').glob('*.json'):
        old.unlink()
    print(f'pycocotools {version("pycocotools")}, numpy {np.__version__}')
    print(f'{"case":<16} {"AP":>8} {"AP50":>8} {"AP75":>8} {"AR1":>8} {"AR100":>8}')
    for path in sorted((HERE / 'cases').glob('*.json')):
        case = json.loads(path.read_text())
        stats, per_class = evaluate(case)
        write_expected(case['name'], stats, per_class)
        print(f'{case["name"]:<16} ' + ' '.join(f'{stats[i]:8.4f}' for i in (0, 1, 2, 6, 8)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
