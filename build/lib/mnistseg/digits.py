"""What a digit is here: MNIST's side in pixels and its number of classes.

The IDX reader, the networks and the synthetic clip share these two numbers, and nothing else.
"""

DIGIT_SIDE = 28  # MNIST's digits are DIGIT_SIDE x DIGIT_SIDE pixels
NUM_CLASSES = 10
