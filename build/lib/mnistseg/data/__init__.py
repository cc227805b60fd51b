"""Data: MNIST's IDX files in, three segmentation datasets out (Otsu masks, enclosing circles,
composites), each split a few `.npy` arrays."""
