"""Colourisation and paired translation of whole photos, any size (``inpaint colorize``,
``inpaint translate``, :class:`inpaint.api.Colorizer` / :class:`inpaint.api.Translator`).

* :mod:`.scaling` — the photo ↔ the model's grid: long side to the model's size, reflection
  padding to a multiple of the network's stride, crop; row strips run on a few threads;
* :mod:`.guided` — edge-aware upsampling of the predicted chroma, guided by the photo's own
  full-resolution luminance (fast guided filter);
* :mod:`.engine` — colourisation: luminance → chroma at the model's scale → chroma upsampled →
  recombined with the photo's exact luminance (:func:`inpaint.color.recombine`);
* :mod:`.translate` — paired translation (RGB → RGB) at the model's scale, scaled back;
* :mod:`.model` — the one place a checkpoint becomes an engine (``inpaint.tasks``);
* :mod:`.photo` — a :class:`inpaint.imageio.Photo` in, the output image in its form out
  (alpha kept, grey → colour, 16 bits → 8 bits, metadata kept where it still applies);
* :mod:`.batch` — one file or a whole folder, with the checks of ``inpaint fill``.

Importing this package is light; torch is imported by the engines when they run a model.
"""
