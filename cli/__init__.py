"""The `inpaint` command line (click). It only parses options and calls `inpaint` / `masks`."""
