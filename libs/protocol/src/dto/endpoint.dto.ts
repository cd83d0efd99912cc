import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  ValidateNested,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';

function IsStringMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringMap',
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          Object.values(value as object).every((entry) => typeof entry === 'string'),
        defaultMessage: () => '$property must be an object whose values are strings',
      },
    },
    options,
  );
}

export class ProviderSpecificPropertyDto {
  @IsString()
  name!: string;

  @IsOptional()
  @IsString()
  value?: string;
}

export class EndpointDto {
  @IsString()
  @IsNotEmpty()
  dnsName!: string;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  targets?: string[] | null;

  @IsString()
  @IsNotEmpty()
  recordType!: string;

  @IsOptional()
  @IsString()
  setIdentifier?: string | null;

  /** Any integer a Go int64 can carry; normalised (clamped, or unset) by normalizeRecordTtl. */
  @IsOptional()
  @IsInt()
  recordTTL?: number | null;

  @IsOptional()
  @IsStringMap()
  labels?: Record<string, string> | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProviderSpecificPropertyDto)
  providerSpecific?: ProviderSpecificPropertyDto[] | null;
}

export const ENDPOINT_KEYS = [
  'dnsName',
  'targets',
  'recordType',
  'setIdentifier',
  'recordTTL',
  'labels',
  'providerSpecific',
] as const;

export const PROVIDER_SPECIFIC_KEYS = ['name', 'value'] as const;
