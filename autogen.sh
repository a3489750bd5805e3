#!/bin/sh
# autogen.sh - generate ./configure from configure.ac and Makefile.am.
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
# Autoconf's link tests clean up a stray "core" dump file with rm -f, which
# complains about our core/ directory; drop that one word from the script.
sed -i 's/rm -f core /rm -f /g; s/rm -f -r conftest\* core /rm -f -r conftest* /g' configure
