import { Type } from 'class-transformer';
import { IsArray, IsOptional, ValidateNested } from 'class-validator';
import { EndpointDto } from './endpoint.dto.js';

export class ChangesDto {
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EndpointDto)
  create?: EndpointDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EndpointDto)
  updateOld?: EndpointDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EndpointDto)
  updateNew?: EndpointDto[] | null;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => EndpointDto)
  delete?: EndpointDto[] | null;
}

export const CHANGES_KEYS = ['create', 'updateOld', 'updateNew', 'delete'] as const;
