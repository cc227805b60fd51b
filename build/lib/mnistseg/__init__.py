"""mnistseg: MNIST segmentation datasets, models and video background replacement."""
