// The studio's errors as they cross a transport: a message the user can act on, and its code.
import { ApiError } from '../../shared/api.js';

export const fail = (message: string, code: ApiError['code'] = 'failed') => new ApiError({ message, code });
