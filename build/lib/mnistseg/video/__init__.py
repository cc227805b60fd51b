"""Video: background subtraction, mask clean-up, compositing over a new background, and the
scores CDnet 2014 gives masks."""
