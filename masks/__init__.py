"""masks: the mask library (numpy + OpenCV only, never torch). Being written."""
