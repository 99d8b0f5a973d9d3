/** The body of every 400 the gateway sends: which field is wrong and why. */
export interface FieldErrorBody {
  statusCode: 400;
  error: 'Bad Request';
  message: string;
  field: string;
}

export const fieldError = (field: string, message: string): FieldErrorBody => ({
  statusCode: 400,
  error: 'Bad Request',
  message: `${field}: ${message}`,
  field,
});
