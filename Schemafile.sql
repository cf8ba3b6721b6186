-- Schemafile for the shopping-flyer service: shops publish weekly leaflets of products;
-- users follow shops and subscribe to plans. Tables whose names start with secret_ hold
-- personal data: schema-apply changes their schema but never reads or prints their rows.
--
-- This file is the whole truth about the schema: `schema-apply plan` shows what it would
-- change to make the database match it, `schema-apply apply` does it.

CREATE TABLE shops (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  code varchar(32) NOT NULL COMMENT 'public identifier in URLs',
  name varchar(200) NOT NULL,
  chain varchar(100) DEFAULT NULL,
  prefecture varchar(20) NOT NULL,
  address varchar(255) NOT NULL DEFAULT '',
  location point NOT NULL,
  opens_at time DEFAULT NULL,
  closes_at time DEFAULT NULL,
  status enum('open','closed','suspended') NOT NULL DEFAULT 'open',
  created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_shops_code (code),
  KEY ix_shops_prefecture_chain (prefecture, chain),
  SPATIAL KEY sp_shops_location (location),
  CONSTRAINT ck_shops_hours CHECK (closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='stores that publish leaflets';

CREATE TABLE products (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  jan_code char(13) DEFAULT NULL COMMENT 'barcode',
  name varchar(255) NOT NULL,
  brand varchar(100) DEFAULT NULL,
  category varchar(50) NOT NULL DEFAULT 'other',
  attributes json DEFAULT NULL,
  created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_products_jan_code (jan_code),
  KEY ix_products_category (category),
  FULLTEXT KEY ft_products_name (name, brand)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE leaflets (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  shop_id bigint unsigned NOT NULL,
  title varchar(200) NOT NULL,
  valid_from date NOT NULL,
  valid_to date NOT NULL,
  page_count smallint unsigned NOT NULL DEFAULT 1,
  image_url varchar(500) DEFAULT NULL,
  published_at datetime DEFAULT NULL,
  PRIMARY KEY (id),
  KEY ix_leaflets_shop_period (shop_id, valid_from, valid_to),
  CONSTRAINT fk_leaflets_shop FOREIGN KEY (shop_id) REFERENCES shops (id) ON DELETE CASCADE,
  CONSTRAINT ck_leaflets_period CHECK (valid_to >= valid_from)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='weekly flyers';

CREATE TABLE leaflet_items (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  leaflet_id bigint unsigned NOT NULL,
  product_id bigint unsigned NOT NULL,
  page smallint unsigned NOT NULL DEFAULT 1,
  regular_price decimal(10,2) DEFAULT NULL,
  sale_price decimal(10,2) NOT NULL,
  discount_rate decimal(5,2) AS (CASE WHEN regular_price > 0 THEN (regular_price - sale_price) / regular_price * 100 END) VIRTUAL,
  note varchar(200) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  UNIQUE KEY uq_leaflet_items_product (leaflet_id, product_id),
  KEY ix_leaflet_items_product (product_id),
  CONSTRAINT fk_leaflet_items_leaflet FOREIGN KEY (leaflet_id) REFERENCES leaflets (id) ON DELETE CASCADE,
  CONSTRAINT fk_leaflet_items_product FOREIGN KEY (product_id) REFERENCES products (id),
  CONSTRAINT ck_leaflet_items_price CHECK (sale_price >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE plans (
  id smallint unsigned NOT NULL AUTO_INCREMENT,
  code varchar(20) NOT NULL,
  name varchar(100) NOT NULL,
  monthly_fee int unsigned NOT NULL DEFAULT 0 COMMENT 'in yen',
  max_followed_shops smallint unsigned NOT NULL DEFAULT 10,
  active tinyint(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (id),
  UNIQUE KEY uq_plans_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='subscription plans';

-- Personal data: never read, never printed.
CREATE TABLE secret_users (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  email varchar(255) NOT NULL,
  display_name varchar(100) NOT NULL DEFAULT '',
  birth_date date DEFAULT NULL,
  phone varchar(20) DEFAULT NULL,
  plan_id smallint unsigned DEFAULT NULL,
  created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uq_secret_users_email (email),
  KEY ix_secret_users_plan (plan_id),
  CONSTRAINT fk_secret_users_plan FOREIGN KEY (plan_id) REFERENCES plans (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE secret_user_addresses (
  id bigint unsigned NOT NULL AUTO_INCREMENT,
  user_id bigint unsigned NOT NULL,
  postal_code char(8) NOT NULL,
  prefecture varchar(20) NOT NULL,
  city varchar(100) NOT NULL,
  line1 varchar(255) NOT NULL,
  line2 varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY (id),
  KEY ix_secret_user_addresses_user (user_id),
  CONSTRAINT fk_secret_user_addresses_user FOREIGN KEY (user_id) REFERENCES secret_users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which shops a person follows is about that person: the table is secret too (a key from a
-- non-secret table into secret_users would let anyone who may insert into it probe the secret rows).
CREATE TABLE secret_followed_shops (
  user_id bigint unsigned NOT NULL,
  shop_id bigint unsigned NOT NULL,
  notify tinyint(1) NOT NULL DEFAULT 1,
  created_at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (user_id, shop_id),
  KEY ix_secret_followed_shops_shop (shop_id),
  CONSTRAINT fk_secret_followed_shops_user FOREIGN KEY (user_id) REFERENCES secret_users (id) ON DELETE CASCADE,
  CONSTRAINT fk_secret_followed_shops_shop FOREIGN KEY (shop_id) REFERENCES shops (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Page views per day, partitioned by month so old months drop cheaply.
CREATE TABLE leaflet_views (
  leaflet_id bigint unsigned NOT NULL,
  viewed_on date NOT NULL,
  views int unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY (leaflet_id, viewed_on)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci
PARTITION BY RANGE COLUMNS (viewed_on) (
  PARTITION p2026_10 VALUES LESS THAN ('2026-11-01'),
  PARTITION p2026_11 VALUES LESS THAN ('2026-12-01'),
  PARTITION p2026_12 VALUES LESS THAN ('2027-01-01'),
  PARTITION pmax VALUES LESS THAN (MAXVALUE)
);
