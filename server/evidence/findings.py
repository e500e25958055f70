"""Finding codes for photo evidence: one catalogue, stable codes, zh-CN messages.

The codes are stored with each photo and shown to reviewers, so they never change meaning;
a new situation gets a new code. Messages are templates filled from the finding's data so the
numbers a reviewer sees are the numbers stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message_zh: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message_zh": self.message_zh,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class FindingSpec:
    severity: Severity
    template_zh: str


CATALOGUE: dict[str, FindingSpec] = {
    # decoding
    "DECODE_TRUNCATED": FindingSpec("error", "照片文件不完整（可能上传中断），请重新上传原图"),
    "DECODE_FAILED": FindingSpec("error", "照片无法解码（文件损坏或格式不受支持）"),
    "DECOMPRESSION_BOMB": FindingSpec(
        "error", "照片像素尺寸异常（{width}×{height}），超过安全上限，未解码"
    ),
    "NOT_AN_IMAGE": FindingSpec("error", "上传的文件不是图片"),
    "HEIC": FindingSpec("info", "照片为 HEIC/HEIF 格式，已转换生成预览图"),
    "EXIF_CORRUPT": FindingSpec("warning", "照片 EXIF 元数据损坏，部分信息无法读取"),
    # location
    "GPS_MISSING": FindingSpec("error", "照片 EXIF 中没有 GPS 位置"),
    "GPS_NULL_ISLAND": FindingSpec("error", "照片 GPS 坐标为 (0, 0)，表示未定位，不能作为位置"),
    "GPS_INVALID": FindingSpec(
        "error", "照片 GPS 数据无效（分母为 0、缺少南北/东西标记或超出范围），不能作为位置"
    ),
    "DEVICE_FIX_FALLBACK": FindingSpec(
        "warning", "照片无可用 GPS，改用设备上报的位置（可信度较低）"
    ),
    "GPS_ACCURACY_POOR": FindingSpec("warning", "定位精度较差（{accuracy_m:.0f} 米）"),
    "GEOFENCE_PASS": FindingSpec("info", "拍摄位置在图斑内或边缘（距离 {distance_m:.1f} 米）"),
    "GEOFENCE_WARN": FindingSpec(
        "warning", "拍摄位置在图斑外 {distance_m:.1f} 米（允许 {tolerance_m:.0f} 米），可能在图斑外拍摄"
    ),
    "GEOFENCE_FAIL": FindingSpec("error", "拍摄位置距图斑 {distance_m:.0f} 米，超出允许范围"),
    "GEOFENCE_GCJ02_SHIFT": FindingSpec(
        "warning",
        "拍摄位置距图斑 {distance_m:.0f} 米，但按 GCJ-02（火星坐标）纠偏后距图斑 "
        "{corrected_distance_m:.1f} 米：设备可能上报了 GCJ-02 坐标，请检查采集端坐标系",
    ),
    # time
    "CAPTURE_TIME_MISSING": FindingSpec("warning", "照片没有有效的拍摄时间（EXIF DateTimeOriginal）"),
    "TIME_OUTSIDE_TASK_WINDOW": FindingSpec("warning", "拍摄时间不在巡查任务时间范围内"),
    "TIME_OUTSIDE_INSPECTION": FindingSpec(
        "warning", "拍摄时间不在本次巡查的开始与结束时间之间（相差 {seconds:.0f} 秒）"
    ),
    "TIME_AFTER_UPLOAD": FindingSpec(
        "error", "拍摄时间晚于服务器接收时间 {seconds:.0f} 秒，时间不可信"
    ),
    "TIME_FUTURE": FindingSpec("error", "拍摄时间在未来（{captured_at}），设备时钟可能未设置"),
    "TIME_TOO_OLD": FindingSpec(
        "warning", "照片在上传前 {days:.1f} 天拍摄，超过允许的离线时长"
    ),
    "TIME_DEVICE_MISMATCH": FindingSpec(
        "warning", "EXIF 拍摄时间与设备记录的拍摄时间相差 {seconds:.0f} 秒"
    ),
    "GPS_FIX_STALE": FindingSpec(
        "warning", "GPS 定位时间与拍摄时间相差 {seconds:.0f} 秒，定位可能是旧的"
    ),
    "TIME_CLOCK_DRIFT": FindingSpec(
        "info", "相机时钟与 GPS 时间相差 {seconds:.0f} 秒（时钟偏差）"
    ),
    # reuse and editing
    "REUSE_EXACT": FindingSpec("error", "同一张照片（SHA-256 相同）已在其他巡查中使用"),
    "REUSE_ORIGINAL": FindingSpec("info", "本次是该照片的最早使用，之后又在其他 {count} 次巡查中出现"),
    "REUSE_NEAR": FindingSpec(
        "warning", "与已有照片高度相似（感知哈希距离 {hash_distance}），可能是重复使用"
    ),
    "EDIT_SOFTWARE": FindingSpec("warning", "照片经过编辑软件处理（{software}）"),
    "EDIT_SIZE_MISMATCH": FindingSpec(
        "warning",
        "EXIF 记录的尺寸 {exif_width}×{exif_height} 与实际像素 {width}×{height} 不符，照片可能被裁剪或缩放",
    ),
    "EDIT_NO_MAKE_WITH_GPS": FindingSpec(
        "warning", "照片有 GPS 信息但没有相机厂商，元数据可能被改写"
    ),
}


def finding(code: str, severity: Severity | None = None, **data: Any) -> Finding:
    """Build a finding from the catalogue; unknown codes fail loudly at the call site."""
    spec = CATALOGUE[code]
    return Finding(code, severity or spec.severity, spec.template_zh.format(**data), data)


def reuse_exact_finding(other_photo_ids: list[Any]) -> Finding:
    """Exact reuse: the caller has found other photos with the same SHA-256."""
    return finding("REUSE_EXACT", other_photo_ids=list(other_photo_ids))
