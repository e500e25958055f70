"""Problems of the sync protocol: HTTP errors of push, pull and uploads, and per-record rejection codes.

They extend the catalogue in server.errors (same rule: codes are part of the device protocol, add,
never rename); they live here because devices are their only audience.
"""

from server.errors import Problem

DEVICE_REQUIRED = Problem("device_required", 403, "该接口只接受巡查设备的令牌")
TOO_MANY_RECORDS = Problem("too_many_records", 413, "一次推送的记录过多,请分批推送")
INVALID_CURSOR = Problem("invalid_cursor", 422, "同步游标无效,请不带游标重新同步")
TUS_VERSION = Problem("tus_version_unsupported", 412, "仅支持 tus 1.0.0 协议")
UPLOAD_OFFSET_MISMATCH = Problem("upload_offset_mismatch", 409, "上传偏移量与服务器不一致,请先查询偏移量再续传")
UPLOAD_LOCKED = Problem("upload_locked", 423, "该上传正在被另一个请求写入,请稍后重试")
UPLOAD_EXPIRED = Problem("upload_expired", 410, "上传已过期,请重新创建上传")
UPLOAD_TOO_LARGE = Problem("photo_too_large", 413, "照片超过大小限制")
UPLOAD_EXCEEDS_LENGTH = Problem("upload_exceeds_length", 413, "写入的数据超过了声明的上传长度")
CHECKSUM_UNSUPPORTED = Problem("checksum_algorithm_unsupported", 400, "不支持的校验算法,请使用 sha256 或 sha1")
CHECKSUM_MISMATCH = Problem("checksum_mismatch", 460, "校验值不符,数据在传输中损坏,请重传")
INCOMPLETE_CHUNK = Problem("incomplete_chunk", 400, "数据块未完整到达,已到达的部分已保存,请查询偏移量后续传")

# Per-record rejection codes in a push result (the form engine adds its own, e.g. `required`).
BAD_UUID = "bad_uuid"
INVALID = "invalid"
REQUIRED = "required"
UNKNOWN_FORM_VERSION = "unknown_form_version"
PARCEL_OUT_OF_SCOPE = "parcel_out_of_scope"
UUID_CONFLICT = "uuid_conflict"
NOT_AN_OBJECT = "not_an_object"
