import platform

from mnistseg.heap import keep_freed_memory


def test_keep_freed_memory_takes_effect_with_glibc_only():
    assert keep_freed_memory() is (platform.libc_ver()[0] == "glibc")
