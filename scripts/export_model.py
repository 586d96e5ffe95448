"""Slim a training checkpoint down to what `inpaint fill` needs (architecture + generator weights).

    python scripts/export_model.py runs/default/last.pt inpaint/weights/default.pt
"""

import argparse
import sys

from inpaint.checkpoint import export_for_inference
from inpaint.errors import InpaintError


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", help="checkpoint written by `inpaint train`")
    parser.add_argument("dst", help="inference checkpoint to write (replaced atomically)")
    parser.add_argument("--half", action="store_true",
                        help="store the weights as float16 (half the file; loaded back as float32)")
    args = parser.parse_args()
    try:
        state = export_for_inference(args.src, args.dst, half=args.half)
    except InpaintError as exc:
        sys.exit(f"error: {exc}")
    print(f"wrote {args.dst}: generator {state['generator_config']['kind']}, step {state['step']}")


if __name__ == "__main__":
    main()
