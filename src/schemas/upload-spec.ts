// What POST /v1/uploads accepts: one image of at most MAX_IMAGE_BYTES in a multipart field `image`.

/** Largest accepted image. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Largest accepted request body: the image plus room for multipart boundaries and part headers. */
export const MAX_UPLOAD_BODY_BYTES = MAX_IMAGE_BYTES + 64 * 1024;
/** The multipart field that carries the image. */
export const UPLOAD_FIELD = "image";
