// What POST /v1/uploads accepts: one image of at most MAX_IMAGE_BYTES in a multipart field `image`
// (forwarded to WeShop), or one image, video or audio file of at most MAX_FILE_BYTES in a field
// `file` (streamed into R2).

/** Largest accepted image. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest accepted request body: the image plus room for multipart boundaries and part headers. */
export const MAX_UPLOAD_BODY_BYTES = MAX_IMAGE_BYTES + 64 * 1024;
/** The multipart field that carries the image. */
export const UPLOAD_FIELD = "image";

/** Largest accepted file in the `file` field. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/** Largest declared body for a `file` upload: the file plus room for the multipart framing. */
export const MAX_FILE_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024;
/** The multipart field that carries any media, stored in R2. */
export const FILE_FIELD = "file";
/** How long the signed link of a stored upload stays valid. */
export const UPLOAD_LINK_TTL_SECONDS = 7 * 24 * 3600;
