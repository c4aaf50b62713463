# demo workflow script
