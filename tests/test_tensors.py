"""numpy ↔ tensor conversions (inpaint/tensors.py): values, ranges and round trips."""

import numpy as np
import torch

from inpaint.tensors import image_to_tensor, mask_to_tensor, tensor_to_image, tensor_to_mask


def test_image_round_trip_is_exact_and_in_range():
    image = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    t = image_to_tensor(image)
    assert t.shape == (3, 5, 7) and t.dtype == torch.float32 and t.is_contiguous()
    expected = torch.from_numpy(image).permute(2, 0, 1).float() / 127.5 - 1.0
    assert torch.allclose(t, expected, atol=1e-6)
    assert t.min() >= -1 and t.max() <= 1
    assert np.array_equal(tensor_to_image(t), image)


def test_mask_round_trip_keeps_255_as_hole():
    mask = np.zeros((4, 6), np.uint8)
    mask[1:3, 2:5] = 255
    t = mask_to_tensor(mask)
    assert t.shape == (1, 4, 6) and set(t.unique().tolist()) == {0.0, 1.0}
    assert np.array_equal(tensor_to_mask(t), mask)
