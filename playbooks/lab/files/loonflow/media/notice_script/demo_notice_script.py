# demo notice script (0.3)
