#!/bin/sh
# storm_kvm.sh - a boot storm of 3 TCG guests cloned from one definition, ping readiness over the test's own bridge; --cleanup.
. "$top_srcdir/tests/boot/common.sh"

setup_demo kvm
storm_test kvm 3
done_testing
