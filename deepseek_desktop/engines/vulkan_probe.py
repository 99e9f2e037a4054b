"""The Vulkan devices of this computer, from the Vulkan loader itself (before ggml's Vulkan backend loads).

ggml's Vulkan backend skips devices of Vulkan type CPU (Mesa's llvmpipe, "lavapipe") unless
``GGML_VK_VISIBLE_DEVICES`` names them, and reports the devices it keeps as GPUs. Asking the loader first
tells which devices are emulated on the CPU, so they can be listed as such and never picked automatically.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from dataclasses import dataclass

log = logging.getLogger(__name__)

CPU_TYPE = 4  # VK_PHYSICAL_DEVICE_TYPE_CPU
_PROPERTIES_BYTES = 2048  # VkPhysicalDeviceProperties is about 830 bytes; only its head is read
_NAME_OFFSET, _NAME_SIZE = 20, 256  # apiVersion, driverVersion, vendorID, deviceID, deviceType, deviceName


@dataclass(frozen=True)
class VulkanDevice:
    index: int  # the loader's order, which GGML_VK_VISIBLE_DEVICES counts in
    kind: int  # VkPhysicalDeviceType
    name: str

    @property
    def software(self) -> bool:
        return self.kind == CPU_TYPE


class _InstanceCreateInfo(ctypes.Structure):
    _fields_ = [("sType", ctypes.c_uint32), ("pNext", ctypes.c_void_p), ("flags", ctypes.c_uint32),
                ("pApplicationInfo", ctypes.c_void_p), ("enabledLayerCount", ctypes.c_uint32),
                ("ppEnabledLayerNames", ctypes.c_void_p), ("enabledExtensionCount", ctypes.c_uint32),
                ("ppEnabledExtensionNames", ctypes.c_void_p)]


def _loader() -> ctypes.CDLL | None:
    names = ["vulkan-1.dll"] if sys.platform == "win32" else ["libvulkan.so.1", ctypes.util.find_library("vulkan")]
    for name in names:
        if not name:
            continue
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def vulkan_devices() -> list[VulkanDevice]:
    """Every physical device the Vulkan loader lists; empty without a loader or a driver."""
    vk = _loader()
    if vk is None:
        return []
    vk.vkCreateInstance.restype = ctypes.c_int32
    vk.vkCreateInstance.argtypes = [ctypes.POINTER(_InstanceCreateInfo), ctypes.c_void_p,
                                    ctypes.POINTER(ctypes.c_void_p)]
    vk.vkEnumeratePhysicalDevices.restype = ctypes.c_int32
    vk.vkEnumeratePhysicalDevices.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint32), ctypes.c_void_p]
    vk.vkGetPhysicalDeviceProperties.restype = None
    vk.vkGetPhysicalDeviceProperties.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    vk.vkDestroyInstance.restype = None
    vk.vkDestroyInstance.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    info = _InstanceCreateInfo(sType=1)  # VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
    instance = ctypes.c_void_p()
    if vk.vkCreateInstance(ctypes.byref(info), None, ctypes.byref(instance)) != 0:
        log.info("Vulkan: no instance (no driver installed)")
        return []
    try:
        count = ctypes.c_uint32(0)
        if vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), None) != 0 or not count.value:
            return []
        handles = (ctypes.c_void_p * count.value)()
        if vk.vkEnumeratePhysicalDevices(instance, ctypes.byref(count), handles) not in (0, 5):  # 5: VK_INCOMPLETE
            return []
        found = []
        for i in range(count.value):
            props = ctypes.create_string_buffer(_PROPERTIES_BYTES)
            vk.vkGetPhysicalDeviceProperties(handles[i], props)
            kind = int.from_bytes(props.raw[16:20], sys.byteorder)
            name = props.raw[_NAME_OFFSET:_NAME_OFFSET + _NAME_SIZE].split(b"\0", 1)[0].decode("utf-8", "replace")
            found.append(VulkanDevice(i, kind, name))
        return found
    finally:
        vk.vkDestroyInstance(instance, None)
